/**
 * The floor's writes: what the contract asks of every payout whatever the design around it, the
 * fence (`queued -> submitting`) and the outcome (`submitting -> succeeded`), each with its history
 * entry, status index, batch counters and event, through the project's own store and scripts, with
 * the bench's retention (bench/project-env.ts).
 */
import type { Redis } from 'ioredis';
import { createKeys } from '../src/keys.ts';
import { BUILTIN_PROVIDER_NAMES } from '../src/providers/index.ts';
import { createStore, type NewWithdrawal } from '../src/withdrawals/store.ts';

export const FLOOR_EVENTS_MAX_LEN = 10_000;
export const FLOOR_HISTORY_RETENTION_MS = 1000;

function storeOn(redis: Redis, prefix: string) {
  return createStore({ redis, keys: createKeys(prefix), eventsMaxLen: FLOOR_EVENTS_MAX_LEN, historyRetentionMs: FLOOR_HISTORY_RETENTION_MS, providers: BUILTIN_PROVIDER_NAMES });
}

/** The two transitions of one payout, by its id and its attempt's fence; either refused throws. */
export function contractWrites(redis: Redis, prefix: string, batchId: string | null) {
  const store = storeOn(redis, prefix);
  const known = { provider: 'turinpay' as const, batchId };
  const must = (what: string, res: { ok: boolean }) => {
    if (!res.ok) throw new Error(`floor: ${what} refused: ${JSON.stringify(res)}`);
  };
  return {
    async fence(id: string, fence: string): Promise<void> {
      const change = { reconcileDeadline: Date.now() + 3_600_000 };
      must('fence', await store.transition(id, { known, provider: 'turinpay', from: 'queued', to: 'submitting', newFence: fence, countAttempt: true, round: 0, change, cause: 'submit attempt via turinpay' }));
    },
    async outcome(id: string, fence: string): Promise<void> {
      must('outcome', await store.transition(id, { known, from: 'submitting', to: 'succeeded', fence, change: { providerRef: 'floor', feeMsat: 0n, failure: null }, cause: 'paid at submit (turinpay)' }));
    },
  };
}

/** Stores the floor's withdrawals `queued`, one per job id, in one batch, as a batch's items are stored (coalesced creates). */
export async function storeFloorRecords(redis: Redis, prefix: string, batchId: string, items: { id: string; invoice: string; paymentHash: string; amountMsat: bigint }[]): Promise<void> {
  const store = storeOn(redis, prefix);
  const owner = await store.claimBatch(batchId, 'default');
  if (owner !== 'default') throw new Error(`floor: batch ${batchId} belongs to ${owner}`);
  for (let i = 0; i < items.length; i += 1024) {
    const created = await Promise.all(
      items.slice(i, i + 1024).map((it) => {
        const w: NewWithdrawal = { ...it, owner: 'default', provider: 'turinpay', bodyHash: it.paymentHash, address: null, sendAmountMsat: null, batchId, description: null, metadata: null, reconcileDeadline: Date.now() + 3_600_000, expiresAt: Date.now() + 3_600_000 };
        return store.create(w);
      }),
    );
    const refused = created.find((c) => c.kind !== 'created');
    if (refused) throw new Error(`floor: a create was refused: ${refused.kind}`);
  }
  // Sealed, as a batch is once its items are stored: each move to a terminal status checks whether it was the last.
  await store.sealBatch(batchId);
}
