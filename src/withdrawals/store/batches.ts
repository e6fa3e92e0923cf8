import { DEFAULT_PRODUCER } from '../../callers.ts';
import { parseMsat } from '../../money.ts';
import { STATUSES, TERMINAL_STATUSES, type Status } from '../status.ts';
import type { StoreContext } from './context.ts';
import { callOf } from '../script-layout.ts';
import { CLAIM_BATCH, SEAL_BATCH } from '../script-layouts.ts';

/** A batch's counts and amounts by status, as `GET /v1/batches/:id` and `batch.done` show it. */
export interface BatchSummary {
  batchId: string;
  total: number;
  byStatus: Partial<Record<Status, number>>;
  amountMsatByStatus: Partial<Record<Status, string>>;
  done: boolean;
}

/** A batch not done yet, with its items counted by status (the batch-progress metric). */
export interface OpenBatch {
  batchId: string;
  byStatus: Record<Status, number>;
}

/**
 * Batches: the batch hash (owner, `total`, `sealed`, `doneAt`, and per status the count `n:<status>`
 * and amount `a:<status>` that the scripts keep), its item list, and the index of batches that may
 * be unfinished.
 */
function summaryOf(batchId: string, h: Record<string, string>): BatchSummary | null {
  if (!h.id && !h.total) return null;
  const byStatus: Partial<Record<Status, number>> = {};
  const amountMsatByStatus: Partial<Record<Status, string>> = {};
  let terminal = 0;
  for (const s of STATUSES) {
    const n = Number(h[`n:${s}`] ?? 0);
    if (n > 0) {
      byStatus[s] = n;
      amountMsatByStatus[s] = h[`a:${s}`] ?? '0';
    }
    if (TERMINAL_STATUSES.includes(s)) terminal += n;
  }
  const total = Number(h.total ?? 0);
  return { batchId, total, byStatus, amountMsatByStatus, done: h.sealed === '1' && terminal >= total };
}

export function createBatches(ctx: StoreContext) {
  const { redis, keys } = ctx;

  /** Claims a batch id for `owner` unless someone has it already; answers the batch's owner. */
  async function claimBatch(batchId: string, owner: string): Promise<string> {
    return redis.wdClaimBatch(...callOf(CLAIM_BATCH, { batch: keys.batch(batchId) }, { owner }));
  }


  /** No more items will join the batch; emits `batch.done` at once if every item is already terminal. */
  async function sealBatch(batchId: string): Promise<void> {
    const at = ctx.now().toISOString();
    await redis.wdSealBatch(...callOf(SEAL_BATCH, { batch: keys.batch(batchId), events: keys.events }, { batchId, nowIso: at, eventsMaxLen: ctx.eventsMaxLen, createdAt: at, eventsMaxBytes: ctx.eventsMaxBytes }));
  }

  /** Puts a batch in the index of batches that may be unfinished (kept at its first time, `atMs`). */
  async function indexBatch(batchId: string, atMs: number): Promise<void> {
    await redis.zadd(keys.batches, 'NX', atMs, batchId);
  }

  /** The amount the batch's items carry, over every status: what a replayed or continued batch already holds. */
  async function batchAmountMsat(batchId: string): Promise<bigint> {
    const amounts = await redis.hmget(keys.batch(batchId), ...STATUSES.map((s) => `a:${s}`));
    // Exact decimals, whether the scripts wrote them with HSET or (older batches) HINCRBY.
    return amounts.reduce((sum: bigint, a) => sum + parseMsat(a ?? '0'), 0n);
  }

  /** The batch's counts and amounts by status, or null when there is no such batch. */
  async function batchSummary(batchId: string): Promise<BatchSummary | null> {
    return summaryOf(batchId, await redis.hgetall(keys.batch(batchId)));
  }

  /**
   * A batch with its owner, in one read: null when there is none; `summary` null while it was only
   * claimed (no item yet). Batches made before owners existed belong to `default`.
   */
  async function ownedBatch(batchId: string): Promise<{ owner: string; summary: BatchSummary | null } | null> {
    const h = await redis.hgetall(keys.batch(batchId));
    if (Object.keys(h).length === 0) return null;
    return { owner: h.owner ?? DEFAULT_PRODUCER, summary: summaryOf(batchId, h) };
  }

  /** The ids of a batch's items, in the order they were accepted. */
  async function batchItemIds(batchId: string): Promise<string[]> {
    return redis.lrange(keys.batchItems(batchId), 0, -1);
  }

  /**
   * The newest batches that are not done yet, at most `limit` of them (so the metric's cardinality
   * stays bounded). Entries of batches found done (or gone) are pruned from the index here, so it
   * only ever holds unfinished batches plus those finished since the last read.
   */
  async function openBatches(limit: number): Promise<OpenBatch[]> {
    const ids = await redis.zrevrange(keys.batches, 0, limit - 1);
    if (ids.length === 0) return [];
    const fields = ['doneAt', 'total', ...STATUSES.map((s) => `n:${s}`)];
    const pipeline = redis.pipeline();
    for (const id of ids) pipeline.hmget(keys.batch(id), ...fields);
    const rows = (await pipeline.exec()) ?? [];
    const open: OpenBatch[] = [];
    const finished: string[] = [];
    ids.forEach((batchId, i) => {
      const [err, value] = rows[i] ?? [null, null];
      if (err) throw err;
      const row: unknown[] = Array.isArray(value) ? value : [];
      const [doneAt, total] = row;
      if (typeof doneAt === 'string' || typeof total !== 'string') {
        finished.push(batchId);
        return;
      }
      const byStatus = {} as Record<Status, number>;
      STATUSES.forEach((s, j) => {
        byStatus[s] = Number(row[j + 2] ?? 0);
      });
      open.push({ batchId, byStatus });
    });
    if (finished.length) await redis.zrem(keys.batches, ...finished);
    return open;
  }

  return { claimBatch, ownedBatch, sealBatch, indexBatch, batchAmountMsat, batchSummary, batchItemIds, openBatches };
}
