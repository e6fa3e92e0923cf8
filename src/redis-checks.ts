import type { Logger } from './logger.ts';
import type { RedisClient } from './redis.ts';

export class UnsafeRedisError extends Error {
  override name = 'UnsafeRedisError';
}

/**
 * Refuses a Redis that may evict keys (a payout record or job could vanish), and warns when
 * AOF is off (an acknowledged withdrawal could be lost in a crash).
 */
export async function checkRedisSafety(redis: RedisClient, logger: Logger): Promise<void> {
  let policy: string | undefined;
  let aof: string | undefined;
  try {
    const p = (await redis.config('GET', 'maxmemory-policy')) as string[];
    const a = (await redis.config('GET', 'appendonly')) as string[];
    policy = p[1];
    aof = a[1];
  } catch (err) {
    logger.warn({ err: (err as Error).message }, 'cannot read the Redis configuration (CONFIG GET refused); make sure maxmemory-policy is noeviction and AOF is on');
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
}
