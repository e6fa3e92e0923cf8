/**
 * A Cluster connection opened (or opened again) while the cluster reports `cluster_state:fail`, as
 * it does between a master's death and its replica's promotion. ioredis's ready check (CLUSTER INFO
 * must say `ok`) would fail, reconnect on its own and leave the promise of that `connect()` pending
 * for ever, even once the connection is ready again; BullMQ's worker reopens its blocking
 * connection that way after a blocked call outlives its watchdog, and then waits on that promise:
 * the worker takes no job again (delayed jobs, the sweep) although every connection is ready.
 * And a service given a plain `redis://` URL of one node keeps connecting after that very node dies:
 * its seed list names every node the first one knew.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedis, type RedisClient } from '../../src/redis.ts';
import { resolveRedisTarget } from '../../src/redis-seed.ts';
import { startCluster, type LocalCluster } from '../support/cluster.ts';
import { ask } from '../support/redis-probe.ts';

let cluster: LocalCluster;
const conns: RedisClient[] = [];
beforeAll(async () => {
  cluster = await startCluster(3, { nodeTimeoutMs: 500 });
}, 60_000);
afterAll(async () => {
  for (const c of conns) c.disconnect();
  await cluster?.stop();
});

/** Whether `p` settles within `ms`: 'resolved', 'rejected' or 'pending'. */
async function within(p: Promise<unknown>, ms: number): Promise<'resolved' | 'rejected' | 'pending'> {
  let timer: NodeJS.Timeout | undefined;
  const pending = new Promise<'pending'>((r) => (timer = setTimeout(() => r('pending'), ms)));
  try {
    return await Promise.race([p.then(() => 'resolved' as const, () => 'rejected' as const), pending]);
  } finally {
    clearTimeout(timer);
  }
}

/** A worker connection and its duplicate, both answering. */
async function connectedPair(target: Parameters<typeof createRedis>[0]): Promise<[RedisClient, RedisClient]> {
  const redis = createRedis(target, { role: 'worker', connectionName: 'connect-test' });
  conns.push(redis);
  const dup = redis.duplicate();
  conns.push(dup);
  await Promise.all([redis.ping(), dup.ping()]);
  return [redis, dup];
}

describe('a Cluster connection opened while the cluster is failing', () => {
  it('connects again (it neither hangs nor gives up), a duplicate too (a BullMQ blocking connection), even seeded with the dead node alone', async () => {
    const [redis, dup] = await connectedPair(cluster.url);
    // REDIS_URL naming the node about to die, as a plain redis:// URL.
    const doomed = cluster.ports[2] ?? 0;
    const target = await resolveRedisTarget({ REDIS_URL: `redis://127.0.0.1:${doomed}`, REDIS_SENTINELS: null, REDIS_SENTINEL_NAME: 'mymaster' });
    expect(target.url.split(',')).toHaveLength(3);
    const [seeded, seededDup] = await connectedPair(target);

    // A master without a replica dies: every surviving node reports cluster_state:fail.
    const survivor = cluster.ports[0] ?? 0;
    await cluster.killNode(doomed);
    const deadline = Date.now() + 20_000;
    while (!String(await ask(survivor, (r) => r.cluster('INFO'))).includes('cluster_state:fail')) {
      if (Date.now() > deadline) throw new Error('the cluster never reported cluster_state:fail');
      await new Promise((r) => setTimeout(r, 100));
    }

    for (const c of [redis, dup, seeded, seededDup]) {
      const ended = new Promise((r) => c.once('end', r));
      c.disconnect();
      await ended;
      expect(await within(c.connect(), 8_000)).toBe('resolved');
    }
  }, 60_000);
});
