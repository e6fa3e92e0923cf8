import { Cluster, Redis, type RedisOptions } from 'ioredis';

export type RedisClient = Redis | Cluster;

/**
 * What health checks and error answers need of a connection: whether it is up, and a PING. Handed
 * out instead of the client where data must go through the store.
 */
export type RedisLiveness = Pick<RedisClient, 'status' | 'ping'>;

export interface RedisConnectOptions {
  /**
   * Blocking users (BullMQ workers) need `maxRetriesPerRequest: null`; request paths (the API)
   * should fail fast so that a dead Redis answers 503 instead of hanging.
   */
  role: 'worker' | 'request';
  connectionName?: string;
  /**
   * Send the commands issued in one turn of the event loop together (ioredis auto-pipelining): one
   * write for many concurrent jobs' commands. Never on a connection BullMQ uses (it blocks on it).
   */
  autoPipelining?: boolean;
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
    enableAutoPipelining: opts.autoPipelining ?? false,
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

/** Resolves once the connection is ready, or rejects after `timeoutMs` (a request connection has no offline queue). */
export async function waitUntilReady(redis: RedisClient, timeoutMs: number): Promise<void> {
  if (redis.status === 'ready') return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      redis.off('ready', onReady);
      reject(new Error(`Redis was not ready within ${timeoutMs} ms`));
    }, timeoutMs);
    const onReady = () => {
      clearTimeout(timer);
      resolve();
    };
    redis.once('ready', onReady);
  });
}

/**
 * QUIT when Redis answers; when it does not (down, restarting), a QUIT would wait in the offline
 * queue for ever, so after `timeoutMs` the connection is simply dropped.
 */
export async function closeRedis(redis: RedisClient, timeoutMs = 2000): Promise<void> {
  if (redis.status === 'end') return;
  let timer: NodeJS.Timeout | undefined;
  const gaveUp = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  try {
    const res = await Promise.race([redis.status === 'ready' ? redis.quit().catch(() => 'failed') : Promise.resolve('not ready'), gaveUp]);
    if (res !== 'OK') redis.disconnect();
  } finally {
    clearTimeout(timer);
  }
}
