/**
 * The sweep's job scheduler lost (as a Redis failover can lose BullMQ's next delayed job): the
 * workers schedule it again, so withdrawals whose jobs were lost keep being given back.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startPipeline, type Pipeline } from '../support/pipeline.ts';

let p: Pipeline;
let redis: Redis;
beforeAll(async () => {
  p = await startPipeline({ env: { SWEEP_EVERY_MS: '500' } });
  redis = new Redis(p.config.REDIS_URL);
});
afterAll(async () => {
  redis?.disconnect();
  await p?.close();
});

const LIVE = ['active', 'wait', 'delayed', 'prioritized', 'paused', 'waiting-children'] as const;

describe('the sweep watchdog', () => {
  it('schedules the sweep again once its next job is gone', async () => {
    const queue = p.runtime.queues.maintenance;
    const live = async () => Object.values(await queue.getJobCounts(...LIVE)).reduce((a, b) => a + b, 0);
    await eventually(async () => ((await live()) > 0 ? true : undefined), 5_000, 'the sweep to be scheduled');
    // Lose every job of the maintenance queue, as a promoted replica that missed them would.
    await eventually(
      async () => {
        // BullMQ refuses to remove a scheduler's job: its keys are deleted, as a failover would lose them.
        const delayed = queue.toKey('delayed');
        const wait = queue.toKey('wait');
        for (const id of await redis.zrange(delayed, 0, -1)) {
          await redis.zrem(delayed, id);
          await redis.del(queue.toKey(id));
        }
        for (const id of await redis.lrange(wait, 0, -1)) {
          await redis.lrem(wait, 0, id);
          await redis.del(queue.toKey(id));
        }
        return (await live()) === 0 ? true : undefined;
      },
      10_000,
      'the maintenance queue to be empty',
    );
    const lostAt = Date.now();
    await eventually(async () => ((await live()) > 0 ? true : undefined), 10_000, 'the sweep to be scheduled again');
    expect(Date.now() - lostAt).toBeLessThan(10_000);
    expect(p.logLines.some((l) => l.includes('the sweep had no job scheduled'))).toBe(true);
  });
});
