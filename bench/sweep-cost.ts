/**
 * Settlement cost follows work in flight, not history: one sweep over 1,000 in-flight withdrawals
 * (half `queued` without a submit job, half `submitted` without a settle job), counted in Redis
 * commands (INFO commandstats, Lua-internal calls included) and timed, on a Redis that holds no
 * finished withdrawal and on one that holds the project stage's finished ones.
 */
import { Redis } from 'ioredis';
import { createKeys } from '../src/keys.ts';
import { createLogger } from '../src/logger.ts';
import { createQueues } from '../src/queues/queues.ts';
import { createSweep } from '../src/queues/sweep.ts';
import { createStore } from '../src/withdrawals/store.ts';
import { commandCalls, commandDelta } from './redis-stats.ts';
import { BUILTIN_PROVIDER_NAMES } from '../src/providers/index.ts';

export interface SweepCost {
  finishedRecords: number;
  inFlight: number;
  restored: number;
  redisCommands: number;
  ms: number;
}

export async function measureSweep(redisUrl: string, prefix: string, inFlight: number): Promise<SweepCost> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const keys = createKeys(prefix);
  const logger = createLogger('silent');
  const store = createStore({ redis, keys, eventsMaxLen: 10_000, providers: BUILTIN_PROVIDER_NAMES });
  const queues = createQueues(redis, keys, { submitAttempts: 8, submitBackoffMs: 1000, keepFinishedJobsS: 3600, providers: BUILTIN_PROVIDER_NAMES });
  try {
    const finishedRecords = await redis.xlen(keys.statusSet('turinpay', 'succeeded'));
    for (let i = 0; i < inFlight; i++) {
      const id = `sweep-${i}`;
      await store.create({
        id,
        owner: 'default',
        provider: 'turinpay',
        bodyHash: `h${i}`,
        invoice: `lnbcrt-sweep-${i}`,
        address: null,
        paymentHash: null,
        amountMsat: 1000n,
        sendAmountMsat: null,
        batchId: null,
        description: null,
        metadata: null,
        reconcileDeadline: Date.now() + 86_400_000,
      });
      if (i % 2 === 1) {
        await store.transition(id, { from: 'queued', to: 'submitting', newFence: 'f', cause: 'bench' });
        await store.transition(id, { from: 'submitting', to: 'submitted', fence: 'f', cause: 'bench' });
      }
    }
    // No worker runs: the sweep finds every one of them without a job.
    const sweep = createSweep({ store, queues, logger, providers: ['turinpay'], lostSubmitAfterMs: 3_600_000, orphanAfterMs: 0 });
    const before = await commandCalls(redis);
    const t0 = performance.now();
    const report = await sweep();
    const ms = performance.now() - t0;
    const delta = commandDelta(before, await commandCalls(redis));
    return { finishedRecords, inFlight, restored: report.requeued + report.settleJobs, redisCommands: delta.total, ms };
  } finally {
    await queues.close();
    await redis.quit();
  }
}
