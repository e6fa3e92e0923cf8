import { randomUUID } from 'node:crypto';
import type { RedisClient } from '../redis.ts';
import type { Keys } from '../keys.ts';
import { enqueueWithdrawal, type EnqueueDeps } from './enqueue.ts';
import type { ApiError } from './errors.ts';
import { STATUSES, TERMINAL_STATUSES, type Status } from './status.ts';

export interface BatchRejection {
  index: number;
  id: string | null;
  error: ApiError;
}

export interface BatchAnswer {
  batchId: string;
  accepted: number;
  /** Items accepted earlier (a replayed batch): not accepted again. */
  duplicates: number;
  rejected: BatchRejection[];
}

export interface BatchSummary {
  batchId: string;
  total: number;
  byStatus: Partial<Record<Status, number>>;
  amountMsatByStatus: Partial<Record<Status, string>>;
  done: boolean;
}

export function newBatchId(): string {
  return `batch_${randomUUID()}`;
}

function itemId(item: unknown): string | null {
  if (item && typeof item === 'object' && 'id' in item && typeof item.id === 'string') return item.id;
  return null;
}

/**
 * Enqueues every item of a batch (bounded concurrency, order of answers kept by index); valid items
 * are accepted even when others are refused. The batch is sealed at the end so `done` can become true.
 */
export async function enqueueBatch(
  deps: EnqueueDeps,
  batchId: string,
  items: AsyncIterable<unknown> | Iterable<unknown>,
  opts: { concurrency?: number; onItem?(accepted: boolean): void } = {},
): Promise<BatchAnswer> {
  const answer: BatchAnswer = { batchId, accepted: 0, duplicates: 0, rejected: [] };
  const limit = opts.concurrency ?? 32;
  const inFlight = new Set<Promise<void>>();
  let index = 0;
  for await (const item of items) {
    const i = index++;
    const p = enqueueWithdrawal(deps, item, batchId).then((res) => {
      if (res.kind === 'accepted') answer.accepted++;
      else if (res.kind === 'replayed') answer.duplicates++;
      else answer.rejected.push({ index: i, id: itemId(item), error: res.error });
      opts.onItem?.(res.kind === 'accepted');
    });
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
    if (inFlight.size >= limit) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  answer.rejected.sort((a, b) => a.index - b.index);
  await deps.store.sealBatch(batchId);
  return answer;
}

export async function batchSummary(redis: RedisClient, keys: Keys, batchId: string): Promise<BatchSummary | null> {
  const h = await redis.hgetall(keys.batch(batchId));
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
