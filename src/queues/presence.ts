/**
 * Which providers the running workers pay through, told through Redis: each worker process writes,
 * every few seconds, the providers whose submit queues it works, with Redis's own clock. A producer
 * that holds no provider key (`withdrawals batch`) reads them to know what the service can pay.
 * Names only: no key, URL or setting of a provider is ever written.
 */
import type { Keys } from '../keys.ts';
import type { Logger } from '../logger.ts';
import type { RedisClient } from '../redis.ts';
import type { ProviderName } from '../withdrawals/types.ts';

/** How often a worker process says it still runs. */
export const PRESENCE_EVERY_MS = 10_000;
/** A provider no worker has named for this long is no longer counted as served. */
export const PRESENCE_FRESH_MS = 30_000;

type PresenceRedis = Pick<RedisClient, 'time' | 'zadd' | 'zrangebyscore'>;

/** Zset: provider name -> when (Redis time, ms) a worker last said it works that provider's submit queue. */
const presenceKey = (keys: Keys) => keys.meta('providers');

async function redisNowMs(redis: PresenceRedis): Promise<number> {
  const [seconds, micros] = await redis.time();
  return Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
}

export interface Presence {
  /** Stops telling (the entries age out after PRESENCE_FRESH_MS, or stay fresh through other workers). */
  stop(): void;
}

/** Tells now, then every `everyMs`, that this process works `providers`' submit queues. */
export async function publishProviders(opts: { redis: PresenceRedis; keys: Keys; providers: readonly ProviderName[]; logger: Logger; everyMs?: number }): Promise<Presence> {
  const { redis, keys, providers, logger } = opts;
  if (providers.length === 0) return { stop: () => undefined };
  const tell = async () => {
    const now = await redisNowMs(redis);
    await redis.zadd(presenceKey(keys), ...providers.flatMap((p) => [now, p]));
  };
  await tell();
  // One tell at a time: while Redis is away, they would otherwise pile up in the offline queue.
  let telling = false;
  let stopped = false;
  const timer = setInterval(() => {
    if (telling) return;
    telling = true;
    tell()
      .catch((err: unknown) => {
        if (!stopped) logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'could not tell Redis which providers this process pays through');
      })
      .finally(() => (telling = false));
  }, opts.everyMs ?? PRESENCE_EVERY_MS);
  timer.unref();
  return {
    stop() {
      stopped = true;
      clearInterval(timer);
    },
  };
}

/** The providers some worker has named within `freshMs` (Redis time), in name order. */
export async function servedProviders(redis: PresenceRedis, keys: Keys, freshMs = PRESENCE_FRESH_MS): Promise<ProviderName[]> {
  const now = await redisNowMs(redis);
  return (await redis.zrangebyscore(presenceKey(keys), now - freshMs, '+inf')).sort();
}
