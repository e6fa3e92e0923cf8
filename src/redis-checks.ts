import type { Logger } from './logger.ts';
import type { RedisClient } from './redis.ts';

export class UnsafeRedisError extends Error {
  override name = 'UnsafeRedisError';
}

/**
 * Refuses a Redis that may evict keys (a payout record or job could vanish), warns when AOF is off
 * (an acknowledged withdrawal could be lost in a crash), and when no memory limit is set.
 */
export async function checkRedisSafety(redis: RedisClient, logger: Logger): Promise<void> {
  let policy: string | undefined;
  let aof: string | undefined;
  let maxmemory: string | undefined;
  try {
    const p = (await redis.config('GET', 'maxmemory-policy')) as string[];
    const a = (await redis.config('GET', 'appendonly')) as string[];
    const m = (await redis.config('GET', 'maxmemory')) as string[];
    policy = p[1];
    aof = a[1];
    maxmemory = m[1];
  } catch (err) {
    logger.warn({ err: (err as Error).message }, 'cannot read the Redis configuration (CONFIG GET refused); make sure maxmemory-policy is noeviction, maxmemory is set and AOF is on');
    return;
  }
  if (policy !== undefined && policy !== 'noeviction') {
    throw new UnsafeRedisError(
      `Redis maxmemory-policy is ${policy}, which can evict withdrawal records and jobs; set "maxmemory-policy noeviction" (redis.conf or CONFIG SET maxmemory-policy noeviction)`,
    );
  }
  if (aof === 'no') {
    logger.warn('Redis AOF is off: a Redis crash can lose accepted withdrawals; run Redis with "appendonly yes" and "appendfsync always" or "everysec"');
  }
  // noeviction refuses writes only at maxmemory: with none, Redis grows until the kernel kills it.
  if (maxmemory === '0') {
    logger.warn(
      { maxmemory: 0 },
      'Redis has no maxmemory: it never refuses a write and grows until the machine runs out of memory; set "maxmemory" below the memory Redis may use (e.g. "maxmemory 2gb") so that a full Redis refuses writes (the API answers 503) instead',
    );
  }
}
