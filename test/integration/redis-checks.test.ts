/**
 * checkRedisSafety's memory-limit warning, against private Redis servers: without maxmemory a
 * noeviction Redis never refuses a write, so start-up warns; with one it says nothing about it.
 */
import { rmSync } from 'node:fs';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { startRedisServer, type PrivateRedis } from '../support/redis-server.ts';
import { createLogger } from '../../src/logger.ts';
import { createRedis } from '../../src/redis.ts';
import { checkRedisSafety } from '../../src/redis-checks.ts';

const servers: PrivateRedis[] = [];
afterAll(async () => {
  for (const s of servers) {
    await s.stop();
    rmSync(s.dir, { recursive: true, force: true });
  }
});

/** The log lines (parsed) that checkRedisSafety writes against a Redis started with `args`. */
async function checkWith(args: string[]): Promise<{ level: number; msg: string; maxmemory?: number }[]> {
  const server = await startRedisServer(args);
  servers.push(server);
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      lines.push(String(chunk));
      cb();
    },
  });
  const redis = createRedis(server.url, { role: 'worker' });
  try {
    await checkRedisSafety(redis, createLogger('info', sink));
  } finally {
    await redis.quit();
  }
  return lines.map((l) => JSON.parse(l));
}

describe('the maxmemory start-up check', () => {
  it('warns, naming maxmemory, when the Redis has no memory limit', async () => {
    const logged = await checkWith(['--appendonly', 'yes', '--maxmemory', '0']);
    const warning = logged.find((l) => /maxmemory/.test(l.msg));
    expect(warning, JSON.stringify(logged)).toMatchObject({ level: 40, maxmemory: 0 });
    expect(warning?.msg).toMatch(/no maxmemory/);
    expect(warning?.msg).toMatch(/"maxmemory 2gb"/);
  });

  it('says nothing when maxmemory is set (with noeviction and AOF on)', async () => {
    const logged = await checkWith(['--appendonly', 'yes', '--maxmemory', '64mb']);
    expect(logged).toEqual([]);
  });
});
