/**
 * The sweep gives lost jobs back, and only lost ones: a withdrawal its worker moved on while the
 * sweep was walking an id list read earlier keeps its finished job, and gets no second one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.ts';
import type { Queues } from '../../src/queues/queues.ts';
import { testQueues } from '../support/test-queues.ts';
import { createSweep } from '../../src/queues/sweep.ts';
import { partJobId, submitJobId, submitQueueName } from '../../src/queues/names.ts';
import { Worker } from 'bullmq';
import { createStore, type WithdrawalStore } from '../../src/withdrawals/store.ts';
import { newWithdrawal } from '../support/new-withdrawal.ts';
import { testRedis, type TestRedis } from '../support/redis.ts';
import { BUILTIN_PROVIDER_NAMES } from '../../src/providers/index.ts';

let t: TestRedis;
let store: WithdrawalStore;
let q: ReturnType<typeof testQueues>;
let queues: Queues;

beforeAll(async () => {
  t = await testRedis('sweep');
  store = createStore({ redis: t.redis, keys: t.keys, eventsMaxLen: 0, providers: BUILTIN_PROVIDER_NAMES });
  q = testQueues(t);
  queues = q.queues;
});
afterAll(async () => {
  await q.close();
  await t.cleanup();
});

const w = newWithdrawal;

const logger = createLogger('silent');

/**
 * A sweep of one provider whose id list for `status` is `ids` whatever Redis holds now: the list as
 * it was read before the workers moved them on, or the one withdrawal a test looks at.
 */
function sweepOf(status: string, ids: string[], opts: { provider?: 'aurpay' | 'turinpay'; lostSubmitAfterMs?: number } = {}) {
  return createSweep({
    store: { ...store, idsInStatusSince: async (_p, s) => (s === status ? ids : []) },
    queues,
    logger,
    lostSubmitAfterMs: opts.lostSubmitAfterMs ?? 60_000,
    orphanAfterMs: 0,
    providers: [opts.provider ?? 'turinpay'],
  });
}

describe('sweep', () => {
  it('gives a queued withdrawal whose submit job vanished its job back', async () => {
    await store.create(w('lost'));
    const sweep = createSweep({ store, queues, logger, lostSubmitAfterMs: 60_000, orphanAfterMs: 0, providers: ['turinpay'] });
    const report = await sweep();
    expect(report.requeued).toBe(1);
    expect(await queues.submitQueue('turinpay').getJobState(submitJobId('lost', 0))).toBe('waiting');
    // Its job is live now: the next sweep leaves it alone.
    expect((await sweep()).requeued).toBe(0);
  });

  it('adds no job for a withdrawal that moved on after the sweep read the queued list', async () => {
    await store.create(w('moved'));
    // The id list as it was read before the worker took the withdrawal: still `queued` there.
    const stale = sweepOf('queued', ['moved']);
    expect(await store.transition('moved', { from: 'queued', to: 'submitting', newFence: 'f', cause: 'worker' })).toEqual({ ok: true });
    expect(await store.transition('moved', { from: 'submitting', to: 'succeeded', fence: 'f', cause: 'paid' })).toEqual({ ok: true });
    const report = await stale();
    expect(report).toMatchObject({ scanned: 1, requeued: 0, settleJobs: 0 });
    expect(await queues.submitQueue('turinpay').getJobState(submitJobId('moved', 0))).toBe('unknown');
  });

  it('adds no settle job for a withdrawal that settled after the sweep read the submitted list', async () => {
    await store.create(w('settled'));
    await store.transition('settled', { from: 'queued', to: 'submitting', newFence: 'f', cause: 'worker' });
    await store.transition('settled', { from: 'submitting', to: 'submitted', fence: 'f', cause: 'accepted' });
    await store.transition('settled', { from: 'submitted', to: 'succeeded', cause: 'paid' });
    const stale = sweepOf('submitted', ['settled']);
    expect(await stale()).toMatchObject({ scanned: 1, settleJobs: 0 });
    expect(await queues.settle.getJobCounts('waiting', 'delayed')).toMatchObject({ waiting: 0, delayed: 0 });
  });

  it("leaves a queued withdrawal its batch part's job carries alone, and gives it its own job once that job is gone", async () => {
    const part = partJobId('b-sweep', 'turinpay', 0);
    await store.create(w('in-part', { batchId: 'b-sweep', job: part }));
    await queues.addSubmitPart('turinpay', part, ['in-part']);
    const sweep = sweepOf('queued', ['in-part']);
    expect(await sweep()).toMatchObject({ scanned: 1, requeued: 0 });
    expect(await queues.submitQueue('turinpay').getJobState(submitJobId('in-part', 0))).toBe('unknown');
    await queues.submitQueue('turinpay').remove(part);
    expect(await sweep()).toMatchObject({ scanned: 1, requeued: 1 });
    expect(await queues.submitQueue('turinpay').getJobState(submitJobId('in-part', 0))).toBe('waiting');
  });

  it("never declares lost a submitting withdrawal whose batch part's job is running", async () => {
    const part = partJobId('b-run', 'aurpay', 0);
    await store.create(w('running', { provider: 'aurpay', batchId: 'b-run', job: part }));
    await queues.addSubmitPart('aurpay', part, ['running']);
    // A worker takes the part's job (active, locked) and is paying it: the record is `submitting`.
    const connection = q.connection.duplicate();
    const worker = new Worker(submitQueueName('aurpay'), null, { connection, prefix: t.keys.bullPrefix });
    try {
      const job = await worker.getNextJob('tok');
      expect(job?.id).toBe(part);
      await store.transition('running', { from: 'queued', to: 'submitting', newFence: 'f', cause: 'worker' });
      const sweep = sweepOf('submitting', ['running'], { provider: 'aurpay', lostSubmitAfterMs: 0 });
      expect(await sweep()).toMatchObject({ scanned: 1, lost: 0 });
      expect((await store.read('running'))?.status).toBe('submitting');
    } finally {
      await worker.close();
      await connection.quit();
    }
  });

  it("drops the part's job id from a withdrawal once it is final", async () => {
    await store.create(w('part-final', { batchId: 'b-final', job: partJobId('b-final', 'turinpay', 0) }));
    expect((await store.read('part-final'))?.job).toBe(partJobId('b-final', 'turinpay', 0));
    await store.transition('part-final', { from: 'queued', to: 'submitting', newFence: 'f', cause: 'worker' });
    await store.transition('part-final', { from: 'submitting', to: 'succeeded', fence: 'f', cause: 'paid' });
    expect((await store.read('part-final'))?.job).toBeNull();
  });
});
