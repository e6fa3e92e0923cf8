/**
 * Connections through Sentinel (REDIS_SENTINELS) against a private primary, one replica and three
 * Sentinels: they write to the primary the Sentinels name, follow its failover without being
 * recreated, keep a BullMQ worker consuming afterwards, and connect again when ioredis ends them
 * on its own (a failover racing its lookup of the primary).
 */
import { Queue, Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeRedis, createRedis, reconnectOnReadonly, waitUntilReady, type RedisClient } from '../../src/redis.ts';
import { eventually } from '../support/pipeline.ts';
import { SENTINEL_NAME, startSentinelGroup, type SentinelGroup } from '../support/sentinel.ts';

let group: SentinelGroup;
const opened: RedisClient[] = [];
beforeAll(async () => {
  group = await startSentinelGroup(1);
}, 60_000);
afterAll(async () => {
  await Promise.all(opened.map((c) => closeRedis(c)));
  await group?.stop();
});

function connect(role: 'worker' | 'request'): RedisClient {
  // REDIS_URL names no Redis: only the Sentinels can lead to one.
  const c = createRedis({ url: 'redis://127.0.0.1:1', sentinels: group.sentinels, sentinelName: SENTINEL_NAME }, { role, connectionName: `test-${role}` });
  c.on('error', () => {});
  opened.push(c);
  return c;
}

async function portOf(c: RedisClient): Promise<number> {
  const info = await c.info('server');
  return Number(/tcp_port:(\d+)/.exec(info)?.[1]);
}

describe('connections through Sentinel', () => {
  it('retries a READONLY answer on a fresh connection and nothing else', () => {
    expect(reconnectOnReadonly(new Error("READONLY You can't write against a read only replica."))).toBe(2);
    expect(reconnectOnReadonly(new Error('ERR wrong number of arguments'))).toBe(false);
  });

  it('connects again when ioredis ends the connection while it asks the Sentinels for the primary', async () => {
    const c = connect('worker');
    await c.set('revive', '1');
    const connector = (c as unknown as { connector: { disconnect(): void } }).connector;
    let ended = false;
    c.once('end', () => {
      ended = true;
    });
    // The connector closed while connecting: what a failover announced mid-lookup does.
    c.once('connecting', () => connector.disconnect());
    c.disconnect(true);
    await eventually(async () => (ended ? true : undefined), 5000, 'the end ioredis reaches on its own');
    // Opened again on its own, the same object: commands go through once it is ready.
    await eventually(async () => ((await c.set('revive', '2').catch(() => null)) === 'OK' ? true : undefined), 5000, 'a write after the end');
    expect(c.status).toBe('ready');
  });

  it('follows a failover: both kinds of connection write to the promoted primary and a BullMQ worker keeps consuming', async () => {
    const worker = connect('worker');
    const request = connect('request');
    // A request connection has no offline queue: it takes commands once ready.
    await waitUntilReady(request, 10_000);
    const first = await group.primaryPort();
    expect(await portOf(worker)).toBe(first);
    expect(await portOf(request)).toBe(first);
    const prefix = `sentinel-${Date.now()}`;
    const queue = new Queue('q', { connection: worker, prefix });
    const done: string[] = [];
    const consumer = new Worker('q', async (job) => void done.push(String(job.id)), { connection: worker as never, prefix });
    consumer.on('error', () => {});
    queue.on('error', () => {});
    try {
      await queue.add('j', {}, { jobId: 'before' });
      await eventually(async () => (done.includes('before') ? true : undefined), 10_000, 'the job added before the failover');

      const old = await group.killPrimary();
      const promoted = await group.waitForPromotion(old, 30_000);
      const since = Date.now();
      await eventually(async () => ((await worker.set('after', '1').catch(() => null)) === 'OK' ? true : undefined), 30_000, 'a write on the worker connection');
      await eventually(async () => ((await request.set('after', '2').catch(() => null)) === 'OK' ? true : undefined), 30_000, 'a write on the request connection');
      expect(await portOf(worker)).toBe(promoted);
      expect(await portOf(request)).toBe(promoted);
      await queue.add('j', {}, { jobId: 'after' });
      await eventually(async () => (done.includes('after') ? true : undefined), 30_000, 'the job added after the failover');
      expect(Date.now() - since).toBeLessThan(30_000);
    } finally {
      await consumer.close();
      await queue.close();
    }
  }, 90_000);
});
