import { Redis } from 'ioredis';
import { redisTarget, type RedisTarget } from './redis.ts';

/**
 * The connection target of a configuration, with a plain `redis://` (or `rediss://`) URL that names a
 * Redis Cluster node taken as that cluster's seed (`redis+cluster://`): connected as a single Redis, the
 * first key on another node's slots would answer MOVED. Asks the node once (`INFO cluster`); a node
 * that does not answer is left to the normal connection, which reports it.
 */
export async function resolveRedisTarget(
  config: { REDIS_URL: string; REDIS_SENTINELS: string | null; REDIS_SENTINEL_NAME: string },
  timeoutMs = 5_000,
): Promise<RedisTarget> {
  const target = redisTarget(config);
  if (target.sentinels || !/^rediss?:\/\//.test(target.url)) return target;
  return { ...target, url: (await clusterSeedOf(target.url, timeoutMs)) ?? target.url };
}

/** `redis+cluster://...` for a URL whose node has cluster mode on; null for any other (or no answer). */
export async function clusterSeedOf(url: string, timeoutMs: number): Promise<string | null> {
  const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null, connectTimeout: timeoutMs });
  probe.on('error', () => {});
  try {
    await probe.connect();
    const info = await probe.info('cluster');
    if (!/^cluster_enabled:1\s*$/m.test(info)) return null;
    const parsed = new URL(url);
    const auth = parsed.username || parsed.password ? `${parsed.username}:${parsed.password}@` : '';
    return `${parsed.protocol.replace(/:$/, '')}+cluster://${auth}${parsed.host}`;
  } catch {
    return null;
  } finally {
    probe.disconnect();
  }
}
