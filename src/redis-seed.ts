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

/**
 * `redis+cluster://...` for a URL whose node has cluster mode on, naming that node first and then
 * every other node it knows (CLUSTER NODES); null for any other (or no answer). A Cluster client
 * connects again (after a failover, and each copy BullMQ makes for a blocking connection) from its
 * seed list alone: with the one node of the URL, the loss of that node would leave every later
 * connection with none to start from.
 */
export async function clusterSeedOf(url: string, timeoutMs: number): Promise<string | null> {
  const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null, connectTimeout: timeoutMs });
  probe.on('error', () => {});
  try {
    await probe.connect();
    const info = await probe.info('cluster');
    if (!/^cluster_enabled:1\s*$/m.test(info)) return null;
    const parsed = new URL(url);
    const others = clusterNodeAddresses(String(await probe.cluster('NODES').catch(() => '')));
    const seeds = [parsed.host, ...others.filter((a) => a !== parsed.host)];
    const auth = parsed.username || parsed.password ? `${parsed.username}:${parsed.password}@` : '';
    return `${parsed.protocol.replace(/:$/, '')}+cluster://${auth}${seeds.join(',')}`;
  } catch {
    return null;
  } finally {
    probe.disconnect();
  }
}

/** CLUSTER NODES flags of a node not worth naming as a seed. */
const UNREACHABLE = new Set(['fail', 'fail?', 'noaddr', 'handshake']);

/**
 * The `host:port` of every node a CLUSTER NODES answer lists that may be connected to: not failed,
 * with an address, not still in its handshake. IPv6 addresses are left out (a seed list separates
 * host and port with the last colon of `host:port` pairs, which IPv6 would break).
 */
export function clusterNodeAddresses(nodes: string): string[] {
  const out: string[] = [];
  for (const line of nodes.split('\n')) {
    const [, address, flags] = line.trim().split(' ');
    if (!address || !flags || flags.split(',').some((f) => UNREACHABLE.has(f))) continue;
    const hostPort = address.split('@')[0] ?? '';
    const colon = hostPort.lastIndexOf(':');
    const host = hostPort.slice(0, colon);
    const port = Number(hostPort.slice(colon + 1));
    if (colon <= 0 || host.includes(':') || !Number.isInteger(port) || port <= 0) continue;
    if (!out.includes(hostPort)) out.push(hostPort);
  }
  return out;
}
