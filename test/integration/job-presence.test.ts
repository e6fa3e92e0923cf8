/**
 * What the sweep reads of a job, in O(1) commands: finished (completed, failed), still to run
 * (waiting, delayed, running) or gone, whatever the length of the backlog in front of it.
 */
import { Worker, type Job } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Queues } from '../../src/queues/queues.ts';
import { testQueues } from '../support/test-queues.ts';
import { jobPresence } from '../../src/queues/job-presence.ts';
import { testRedis, type TestRedis } from '../support/redis.ts';
import { eventually } from '../support/pipeline.ts';

let t: TestRedis;
let q: ReturnType<typeof testQueues>;
let queues: Queues;
beforeAll(async () => {
  t = await testRedis('presence');
  q = testQueues(t);
  queues = q.queues;
});
afterAll(async () => {
  await q.close();
  await t.cleanup();
});

describe('jobPresence', () => {
  it('tells waiting and delayed jobs (live) from completed, failed and absent ones, behind a backlog', async () => {
    const queue = queues.submitQueue('turinpay');
    await queue.pause();
    // A backlog in front: the job under test was added first, so it waits at the far end of the list.
    await queue.add('submit', { id: 'first' }, { jobId: 'first' });
    await queue.addBulk(Array.from({ length: 2000 }, (_, i) => ({ name: 'submit', data: { id: `b${i}` }, opts: { jobId: `b${i}` } })));
    await queue.add('submit', { id: 'later' }, { jobId: 'later', delay: 60_000 });
    expect(await jobPresence(queue, 'first')).toBe('live');
    expect(await jobPresence(queue, 'later')).toBe('live');
    expect(await jobPresence(queue, 'never-added')).toBe('gone');
    expect(await queues.presence(queue, 'b1999')).toBe('live');

    await queue.obliterate({ force: true });
    await queue.add('submit', { id: 'ok' }, { jobId: 'ok' });
    await queue.add('submit', { id: 'bad' }, { jobId: 'bad' });
    const worker = new Worker(queue.name, async (job: Job) => {
      if (job.id === 'bad') throw new Error('refused');
      return 'done';
    }, { connection: q.connection.duplicate(), prefix: t.keys.bullPrefix });
    try {
      await eventually(async () => ((await jobPresence(queue, 'ok')) === 'completed' && (await jobPresence(queue, 'bad')) === 'failed' ? true : undefined), 10_000, 'both finished');
    } finally {
      await worker.close();
      await (await worker.client).quit();
    }
    await queue.remove('ok');
    expect(await jobPresence(queue, 'ok')).toBe('gone');
  });
});
