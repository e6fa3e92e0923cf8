import { Cluster, Redis, type RedisOptions } from 'ioredis';
import { reviveUnexpectedEnd } from './redis-revive.ts';

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
 * Where Redis is: `REDIS_URL`, or, with `REDIS_SENTINELS`, the primary the Sentinels name
 * (`REDIS_URL` then lends only its user, password, database and TLS scheme).
 */
export interface RedisTarget {
  url: string;
  /** `host:port,host:port,...` of Sentinels; null or absent: none. */
  sentinels?: string | null;
  /** The primary's name at the Sentinels. @defaultValue 'mymaster' */
  sentinelName?: string;
}

/** The connection target a configuration names. */
export function redisTarget(config: { REDIS_URL: string; REDIS_SENTINELS: string | null; REDIS_SENTINEL_NAME: string }): RedisTarget {
  return { url: config.REDIS_URL, sentinels: config.REDIS_SENTINELS, sentinelName: config.REDIS_SENTINEL_NAME };
}

/** `host:port,host:port` as ioredis's Sentinel list (an IPv6 host in brackets). */
export function parseSentinels(list: string): { host: string; port: number }[] {
  return list
    .split(',')
    .map((hp) => hp.trim())
    .filter((hp) => hp.length > 0)
    .map((hp) => {
      const colon = hp.lastIndexOf(':');
      return { host: hp.slice(0, colon).replace(/^\[(.*)\]$/, '$1'), port: Number(hp.slice(colon + 1)) };
    });
}

/**
 * A demoted primary answers writes with READONLY: reconnect (in Sentinel mode, to the primary the
 * Sentinels name now) and send the refused command again. It was not executed, so resending it is
 * safe; a request connection (no offline queue) fails it instead, and the API answers 503.
 */
export function reconnectOnReadonly(err: Error): 2 | false {
  return err.message.startsWith('READONLY') ? 2 : false;
}

/**
 * Connects to `REDIS_URL`. A `redis+cluster://host:port,host:port` URL names Redis Cluster seed nodes;
 * with Sentinels, the primary they name (followed through failovers); any other URL is a single Redis.
 */
export function createRedis(target: string | RedisTarget, opts: RedisConnectOptions): RedisClient {
  const { url, sentinels, sentinelName } = typeof target === 'string' ? { url: target, sentinels: null, sentinelName: undefined } : target;
  const common: RedisOptions = {
    maxRetriesPerRequest: opts.role === 'worker' ? null : 1,
    enableOfflineQueue: opts.role === 'worker',
    connectionName: opts.connectionName,
    enableAutoPipelining: opts.autoPipelining ?? false,
    retryStrategy: (times) => Math.min(times * 200, 2000),
    reconnectOnError: reconnectOnReadonly,
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
      // ioredis's ready check (CLUSTER INFO must say cluster_state:ok) fails between a master's death
      // and its replica's promotion; the client then reconnects on its own and the promise of that
      // connect() never settles, even once it is ready. BullMQ reopens a worker's blocking connection
      // with connect() and waits on it: the worker would take no job again. Without the check the
      // connection is ready once it knows the slots; a command to a slot without a master answers
      // CLUSTERDOWN and is sent again (failoverPatience).
      enableReadyCheck: false,
      ...failoverPatience(opts.role),
    });
  }
  if (sentinels) return reviveUnexpectedEnd(new Redis(sentinelOptions(url, sentinels, sentinelName ?? 'mymaster', common)));
  return new Redis(url, common);
}

/**
 * How long a Cluster command waits through a failover. While a master is lost and its replica not yet
 * promoted (cluster-node-timeout, then the election), its slots answer CLUSTERDOWN or close the
 * connection; ioredis sends such a command again after `retryDelayOnClusterDown` /
 * `retryDelayOnFailover`, at most `maxRedirections` times. Its defaults (16 times 100 ms) give up
 * within about 2 s with "Too many Cluster redirections", which BullMQ does not take for a connection
 * error: a job's completion, its lock renewal or the job scheduler's next sweep fails for good, and
 * the sweep stops. A worker connection waits about 30 s; a request connection keeps the defaults
 * (the API answers 503 and the client sends again).
 */
function failoverPatience(role: RedisConnectOptions['role']): { retryDelayOnClusterDown: number; retryDelayOnFailover: number; maxRedirections: number } {
  return role === 'worker' ? { retryDelayOnClusterDown: 300, retryDelayOnFailover: 300, maxRedirections: 100 } : { retryDelayOnClusterDown: 100, retryDelayOnFailover: 100, maxRedirections: 16 };
}

/**
 * Sentinel mode: ask the Sentinels for the primary, check it is one, and reconnect to the new one
 * when they announce a failover (`failoverDetector` listens for +switch-master). A Sentinel lookup
 * that fails is retried for ever, never given up: a connection that gave up would end for good and
 * a BullMQ worker on it would stop taking jobs without a word (reviveUnexpectedEnd covers the end
 * ioredis reaches on its own).
 */
function sentinelOptions(url: string, sentinels: string, name: string, common: RedisOptions): RedisOptions {
  const parsed = new URL(url);
  const db = Number(parsed.pathname.replace(/^\//, '') || '0');
  return {
    ...common,
    sentinels: parseSentinels(sentinels),
    name,
    role: 'master',
    username: parsed.username || undefined,
    password: decodeURIComponent(parsed.password) || undefined,
    db: Number.isInteger(db) ? db : 0,
    tls: parsed.protocol === 'rediss:' ? {} : undefined,
    sentinelRetryStrategy: (times) => Math.min(times * 100, 1000),
    failoverDetector: true,
  };
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
