import { Cluster, Redis, type RedisOptions } from 'ioredis';

export type RedisClient = Redis | Cluster;

export interface RedisConnectOptions {
  /**
   * Blocking users (BullMQ workers) need `maxRetriesPerRequest: null`; request paths (the API)
   * should fail fast so that a dead Redis answers 503 instead of hanging.
   */
  role: 'worker' | 'request';
  connectionName?: string;
}

/**
 * Connects to `REDIS_URL`. A `redis+cluster://host:port,host:port` URL names Redis Cluster seed nodes;
 * any other URL is a single Redis (or a Sentinel-managed primary behind one address).
 */
export function createRedis(url: string, opts: RedisConnectOptions): RedisClient {
  const common: RedisOptions = {
    maxRetriesPerRequest: opts.role === 'worker' ? null : 1,
    enableOfflineQueue: opts.role === 'worker',
    connectionName: opts.connectionName,
    retryStrategy: (times) => Math.min(times * 200, 2000),
  };
  const cluster = /^(rediss?)\+cluster:\/\/(.*)$/.exec(url);
  if (cluster) {
    const [, scheme, rest] = cluster;
    const parsed = new URL(`${scheme}://${(rest ?? '').split(',')[0]}`);
    const seeds = (rest ?? '')
      .replace(/^[^@]*@/, '')
      .split(',')
      .map((hp) => {
        const [host, port] = hp.replace(/\/.*$/, '').split(':');
        return { host: host ?? '127.0.0.1', port: Number(port ?? 6379) };
      });
    return new Cluster(seeds, {
      redisOptions: {
        ...common,
        username: parsed.username || undefined,
        password: decodeURIComponent(parsed.password) || undefined,
        tls: scheme === 'rediss' ? {} : undefined,
      },
      enableOfflineQueue: opts.role === 'worker',
      clusterRetryStrategy: (times) => Math.min(times * 200, 2000),
    });
  }
  return new Redis(url, common);
}
