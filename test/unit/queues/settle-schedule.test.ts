/**
 * The settle and submit processors keep the check schedule of lookup-policy.ts: a check that finds
 * the payment pending waits until the next check is due from the settle job's creation, and a
 * success answered at submit (Aurpay's, which a lookup must confirm) gets its check at once.
 */
import { DelayedError, type Job } from 'bullmq';
import { describe, expect, it } from 'vitest';
import type { Logger } from '../../../src/logger.ts';
import type { LookupOutcome, ProviderClient, SubmitOutcome } from '../../../src/providers/types.ts';
import { createSettleProcessor } from '../../../src/queues/settle-processor.ts';
import { createSubmitProcessor } from '../../../src/queues/submit-processor.ts';
import { fakeLane } from '../../support/fake-lane.ts';
import type { WithdrawalStore } from '../../../src/withdrawals/store.ts';
import type { Withdrawal } from '../../../src/withdrawals/withdrawal.ts';

const NOW = 1_800_000_000_000;
const POLL_MS = 200;
const silent = { child: () => silent, info() {}, warn() {}, error() {}, debug() {} } as unknown as Logger;

function storeWith(status: Withdrawal['status']): WithdrawalStore & { moves: string[] } {
  const rec = {
    id: 'w1',
    status,
    provider: 'aurpay',
    batchId: null,
    round: 0,
    providerRef: 'tx-1',
    paymentHash: 'ab'.repeat(32),
    invoice: 'lnbcrt1...',
    address: null,
    amountMsat: 1000n,
    sendAmountMsat: 1000n,
    description: null,
    expiresAt: NOW + 3_600_000,
    reconcileDeadline: NOW + 3_600_000,
    route: [],
    tried: [],
    createdAt: new Date(NOW - 1000).toISOString(),
  } as unknown as Withdrawal;
  const moves: string[] = [];
  return {
    moves,
    read: async () => rec,
    transition: async (_id: string, t: { to: string }) => {
      moves.push(t.to);
      return { ok: true };
    },
  } as unknown as WithdrawalStore & { moves: string[] };
}

function client(lookup: LookupOutcome, submit?: SubmitOutcome): ProviderClient {
  return { name: 'aurpay', lookup: async () => lookup, submit: async () => submit } as unknown as ProviderClient;
}

function settleJob(timestamp: number, checks: number) {
  const job = {
    id: 'st_w1',
    data: { id: 'w1', checks },
    timestamp,
    delayedTo: 0,
    updateData: async (d: { checks: number }) => {
      job.data.checks = d.checks;
    },
    moveToDelayed: async (at: number) => {
      job.delayedTo = at;
    },
  };
  return job;
}

const pending: LookupOutcome = { kind: 'found', status: 'pending', providerRef: 'tx-1', feeMsat: null, raw: {} };

describe('settle processor', () => {
  it('a pending answer waits until the next check is due from the job creation, not a full wait from now', async () => {
    const run = createSettleProcessor({ lanes: new Map([['aurpay', { client: client(pending) }]]), store: storeWith('submitted'), logger: silent, pollMs: 200, pollMaxMs: 300_000, now: () => NOW });
    // Created 1.2 s ago and made checks 0 and 1: check 2 is due at 1,752 ms, 552 ms from now.
    const job = settleJob(NOW - 1200, 1);
    await expect(run(job as unknown as Job, 'token')).rejects.toBeInstanceOf(DelayedError);
    expect(job.delayedTo).toBe(NOW + 552);
    expect(job.data.checks).toBe(2);
  });

  it('a job without a creation time waits its own delay', async () => {
    const run = createSettleProcessor({ lanes: new Map([['aurpay', { client: client(pending) }]]), store: storeWith('submitted'), logger: silent, pollMs: 200, pollMaxMs: 300_000, now: () => NOW });
    const job = settleJob(Number.NaN, 1);
    await expect(run(job as unknown as Job, 'token')).rejects.toBeInstanceOf(DelayedError);
    expect(job.delayedTo).toBe(NOW + 1086);
  });

  it('only the lookup settles: succeeded on the provider status, never on the schedule', async () => {
    const store = storeWith('submitted');
    const paid: LookupOutcome = { kind: 'found', status: 'succeeded', providerRef: 'tx-1', feeMsat: 1000n, raw: {} };
    const run = createSettleProcessor({ lanes: new Map([['aurpay', { client: client(paid) }]]), store, logger: silent, pollMs: 200, pollMaxMs: 300_000, now: () => NOW });
    expect(await run(settleJob(NOW, 0) as unknown as Job, 'token')).toBe('succeeded');
    expect(store.moves).toEqual(['succeeded']);
  });
});

describe('submit processor', () => {
  const submitJob = { id: 's_w1', data: { id: 'w1' }, attemptsMade: 0, opts: { attempts: 3 } } as unknown as Job;
  const run = (outcome: SubmitOutcome, scheduled: unknown[][]) => {
    const { lane } = fakeLane(client(pending, outcome));
    return createSubmitProcessor({
      lane,
      lanes: new Map([['aurpay', lane]]),
      store: storeWith('queued'),
      queues: {
        addSettle: async (...args) => {
          scheduled.push(args);
        },
      },
      worker: { stopping: () => false, rateLimit: async () => undefined },
      logger: silent,
      settings: { pollMs: POLL_MS },
      now: () => NOW,
    })(submitJob, 'token');
  };

  it('a success that a lookup must confirm gets its settlement check at once', async () => {
    const scheduled: unknown[][] = [];
    expect(await run({ kind: 'accepted', status: 'succeeded', providerRef: 'tx-1', feeMsat: 1000n, raw: {} }, scheduled)).toBe('submitted');
    expect(scheduled).toEqual([['w1', 0, 0]]);
  });

  it('a pending payment gets its first check SETTLE_POLL_MS later', async () => {
    const scheduled: unknown[][] = [];
    expect(await run({ kind: 'accepted', status: 'pending', providerRef: 'tx-1', feeMsat: null, raw: {} }, scheduled)).toBe('submitted');
    expect(scheduled).toEqual([['w1', 0, POLL_MS]]);
  });
});
