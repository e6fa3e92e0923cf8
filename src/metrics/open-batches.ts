import type { Keys } from '../keys.ts';
import type { RedisClient } from '../redis.ts';
import { STATUSES, type Status } from '../withdrawals/status.ts';

export interface OpenBatch {
  batchId: string;
  byStatus: Record<Status, number>;
}

/**
 * The newest batches that are not done yet, at most `limit` of them (so the metric's cardinality
 * stays bounded). `keys.batches` is an index of batch ids written when a batch starts; entries of
 * batches found done (or gone) are pruned here, so the index only ever holds unfinished batches
 * plus those finished since the last scrape.
 */
export async function readOpenBatches(redis: RedisClient, keys: Keys, limit: number): Promise<OpenBatch[]> {
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
