import { STATUSES, type Status } from '../status.ts';
import type { ProviderName } from '../types.ts';
import type { StoreContext } from './context.ts';

/**
 * The status indexes: one sorted set of ids per provider and status, scored by when each withdrawal
 * entered it (the scripts keep them). The sweep, the metrics and the withdrawals page read these
 * instead of scanning the keyspace.
 */
export function createStatusSets(ctx: StoreContext) {
  const { redis, keys } = ctx;

  /** Ids in `status`, oldest first, from `offset`. */
  async function idsInStatus(provider: ProviderName, status: Status, limit = 1000, offset = 0): Promise<string[]> {
    return redis.zrange(keys.statusSet(provider, status), offset, offset + limit - 1);
  }

  /** Withdrawals that entered `status` before `beforeMs` (oldest first). */
  async function idsInStatusSince(provider: ProviderName, status: Status, beforeMs: number, limit: number): Promise<string[]> {
    return redis.zrangebyscore(keys.statusSet(provider, status), '-inf', beforeMs, 'LIMIT', 0, limit);
  }

  /** Withdrawals per provider (default: the store's providers) and status. */
  async function countByStatus<P extends ProviderName = ProviderName>(
    providers: readonly P[] = ctx.providers as readonly P[],
  ): Promise<Record<P, Record<Status, number>>> {
    const pipeline = redis.pipeline();
    for (const p of providers) for (const s of STATUSES) pipeline.zcard(keys.statusSet(p, s));
    const results = (await pipeline.exec()) ?? [];
    const out = {} as Record<P, Record<Status, number>>;
    let i = 0;
    for (const p of providers) {
      const row = {} as Record<Status, number>;
      for (const s of STATUSES) row[s] = Number(results[i++]?.[1] ?? 0);
      out[p] = row;
    }
    return out;
  }

  /** Unix ms at which the oldest withdrawal entered `status`, or null. */
  async function oldestIn(provider: ProviderName, status: Status): Promise<number | null> {
    const first = await redis.zrange(keys.statusSet(provider, status), 0, 0, 'WITHSCORES');
    return first[1] === undefined ? null : Number(first[1]);
  }

  return { idsInStatus, idsInStatusSince, countByStatus, oldestIn };
}
