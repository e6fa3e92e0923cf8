/**
 * The Redis safety checks at start-up, through the real command line: an evicting Redis is
 * refused (non-zero exit naming the setting to use), a Redis without AOF starts with a warning.
 */
import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { startRedisServer, type PrivateRedis } from '../support/redis-server.ts';
import { spawnWithdrawals, startWorkerProcess, stopAllProcesses } from '../support/processes.ts';

const servers: PrivateRedis[] = [];
afterAll(async () => {
  await stopAllProcesses();
  for (const s of servers) {
    await s.stop();
    rmSync(s.dir, { recursive: true, force: true });
  }
});

async function redisWith(args: string[]): Promise<PrivateRedis> {
  const r = await startRedisServer(args);
  servers.push(r);
  return r;
}

const env = (url: string) => ({ REDIS_URL: url, QUEUE_PREFIX: 'startup-checks', LOG_LEVEL: 'info', API_TOKENS: 'ops=startup-token-001', PORT: '0' });
const AOF_WARNING = /Redis AOF is off/;

describe('start-up checks against the Redis configuration', () => {
  it.each(['worker', 'api'])('`withdrawals %s` refuses maxmemory-policy allkeys-lru and names noeviction', async (command) => {
    const r = await redisWith(['--maxmemory-policy', 'allkeys-lru', '--maxmemory', '64mb']);
    const proc = spawnWithdrawals(`${command}-lru`, [command], env(r.url));
    const exit = await Promise.race([proc.exited, new Promise<null>((res) => setTimeout(() => res(null), 20_000))]);
    expect(exit, proc.lines.join('\n')).not.toBeNull();
    expect(exit?.code).not.toBe(0);
    expect(exit?.signal).toBeNull();
    const message = proc.lines.join('\n');
    expect(message).toMatch(/maxmemory-policy is allkeys-lru/);
    expect(message).toMatch(/maxmemory-policy noeviction/);
  });

  it('warns when AOF is off, then runs and stops cleanly', async () => {
    const r = await redisWith(['--appendonly', 'no']);
    const proc = await startWorkerProcess('worker-no-aof', env(r.url));
    const warning = await proc.waitForLine(AOF_WARNING);
    expect(JSON.parse(warning)).toMatchObject({ level: 40 });
    expect(await proc.stop('SIGTERM')).toEqual({ code: 0, signal: null });
  });

  it('says nothing about AOF when it is on with noeviction', async () => {
    const r = await redisWith(['--appendonly', 'yes', '--appendfsync', 'everysec']);
    const proc = await startWorkerProcess('worker-aof', env(r.url));
    expect(proc.count(AOF_WARNING)).toBe(0);
    expect(proc.count(/maxmemory-policy/)).toBe(0);
    expect(await proc.stop('SIGTERM')).toEqual({ code: 0, signal: null });
  });
});
