import { Cluster } from 'ioredis';
import type { RedisClient } from './redis.ts';
import { slotMaster } from './redis-slot.ts';

/** `host:port`, an IPv6 host in brackets. */
function hostPort(host: string, port: number | undefined): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port ?? ''}`;
}

/**
 * The Redis primary a connection writes `slotKey`'s slot to, as `host:port`, or null while it is not
 * connected. A single Redis: the address it was given. Behind Sentinels: the primary they named,
 * read off the socket (ioredis keeps it nowhere else). Redis Cluster: the master that holds the slot.
 */
export async function primaryAddress(redis: RedisClient, slotKey: string): Promise<string | null> {
  if (redis.status !== 'ready') return null;
  if (redis instanceof Cluster) {
    const node = await slotMaster(redis, slotKey).catch(() => null);
    return node ? hostPort(node.options.host ?? '', node.options.port) : null;
  }
  const { sentinels, path, host, port } = redis.options;
  if (sentinels?.length) {
    const socket = redis.stream as { remoteAddress?: string; remotePort?: number } | undefined;
    return socket?.remoteAddress ? hostPort(socket.remoteAddress, socket.remotePort) : null;
  }
  return path ?? hostPort(host ?? 'localhost', port);
}

/**
 * Calls `changed` each time the primary a connection writes `slotKey`'s slot to is another one than
 * before: a Sentinel failover (the connection is ready again on another primary) or a Cluster one
 * (the slot map, refreshed, names another master for the slot). Returns the function that stops it.
 */
export function watchPrimary(redis: RedisClient, slotKey: string, changed: (from: string, to: string) => void): () => void {
  let last: string | null = null;
  let checking = Promise.resolve();
  const check = () => {
    checking = checking.then(async () => {
      const now = await primaryAddress(redis, slotKey).catch(() => null);
      if (now === null) return;
      if (last !== null && now !== last) changed(last, now);
      last = now;
    });
  };
  const event = redis instanceof Cluster ? 'refresh' : 'ready';
  redis.on(event, check);
  check();
  return () => {
    redis.off(event, check);
  };
}
