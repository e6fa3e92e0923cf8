import { isFinal, STATUSES, type Status } from '../status.ts';
import type { ProviderName } from '../types.ts';
import type { StoreContext } from './context.ts';

/** Ids in stream entries `i`: id (a final status's index, a listing). */
export const idsOfEntries = (entries: [string, string[]][]): string[] => entries.map(([, f]) => f[1] ?? '');

/**
 * The status indexes the scripts keep: one sorted set of ids per provider and in-flight status,
 * scored by when each withdrawal entered it, and one stream per provider and final status (nothing
 * leaves it), in the order they entered, after the sorted set that index was before (still read,
 * never written). The sweep, the metrics and the withdrawals page read these instead of scanning
 * the keyspace.
 */
export function createStatusSets(ctx: StoreContext) {
  const { redis, keys } = ctx;

  /** Ids in an in-flight (not final) `status`, oldest first, from `offset`. */
  async function idsInStatus(provider: ProviderName, status: Status, limit = 1000, offset = 0): Promise<string[]> {
    if (isFinal(status)) throw new RangeError(`${status} is final: read it with newestIn`);
    return redis.zrange(keys.statusSet(provider, status), offset, offset + limit - 1);
  }

  /** The last `limit` withdrawals to enter a final `status`, newest first. */
  async function newestIn(provider: ProviderName, status: Status, limit: number): Promise<string[]> {
    if (!isFinal(status)) throw new RangeError(`${status} is not final: read it with idsInStatus`);
    const ids = idsOfEntries(await redis.xrevrange(keys.statusSet(provider, status), '+', '-', 'COUNT', limit));
    if (ids.length < limit) ids.push(...(await redis.zrevrange(keys.legacyFinalSet(provider, status), 0, limit - ids.length - 1)));
    return ids;
  }

  /** Withdrawals that entered an in-flight `status` before `beforeMs` (oldest first). */
  async function idsInStatusSince(provider: ProviderName, status: Status, beforeMs: number, limit: number): Promise<string[]> {
    return redis.zrangebyscore(keys.statusSet(provider, status), '-inf', beforeMs, 'LIMIT', 0, limit);
  }

  /** Withdrawals per provider (default: the store's providers) and status. */
  async function countByStatus<P extends ProviderName = ProviderName>(
    providers: readonly P[] = ctx.providers as readonly P[],
  ): Promise<Record<P, Record<Status, number>>> {
    const pipeline = redis.pipeline();
    for (const p of providers)
      for (const s of STATUSES) {
        pipeline.zcard(isFinal(s) ? keys.legacyFinalSet(p, s) : keys.statusSet(p, s));
        if (isFinal(s)) pipeline.xlen(keys.statusSet(p, s));
      }
    const results = (await pipeline.exec()) ?? [];
    const out = {} as Record<P, Record<Status, number>>;
    let i = 0;
    const next = () => Number(results[i++]?.[1] ?? 0);
    for (const p of providers) {
      const row = {} as Record<Status, number>;
      for (const s of STATUSES) row[s] = isFinal(s) ? next() + next() : next();
      out[p] = row;
    }
    return out;
  }

  /** Unix ms at which the oldest withdrawal entered an in-flight `status`, or null. */
  async function oldestIn(provider: ProviderName, status: Status): Promise<number | null> {
    const first = await redis.zrange(keys.statusSet(provider, status), 0, 0, 'WITHSCORES');
    return first[1] === undefined ? null : Number(first[1]);
  }

  return { idsInStatus, newestIn, idsInStatusSince, countByStatus, oldestIn };
}
