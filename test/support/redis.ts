import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import { Cluster, Redis } from 'ioredis';
import { createKeys, type Keys } from '../../src/keys.ts';
import { createRedis, waitUntilReady } from '../../src/redis.ts';

export function redisUrl(): string {
  return inject('redisUrl');
}

/** A fresh prefix per test file or test, so tests never see each other's keys. */
export function uniquePrefix(label = 't'): string {
  return `${label}-${randomUUID().slice(0, 8)}`;
}

/** Deletes (UNLINK) every key of one Redis node under the hash tag `{prefix}`. */
async function unlinkUnder(node: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, found] = await node.scan(cursor, 'MATCH', `{${prefix}}*`, 'COUNT', 1000);
    cursor = next;
    if (found.length) await node.unlink(...found);
  } while (cursor !== '0');
}

/**
 * Deletes every key under `{prefix}` in the Redis at `url` (a single Redis or, for a
 * `redis+cluster://` URL, each master), on a connection of its own closed before it returns.
 * A single Redis that refuses the connection has stopped (a test's private one): nothing to delete.
 */
export async function deleteKeysUnder(url: string, prefix: string): Promise<void> {
  if (/^rediss?\+cluster:\/\//.test(url)) {
    const cluster = createRedis(url, { role: 'worker', connectionName: 'test-cleanup' });
    try {
      if (!(cluster instanceof Cluster)) throw new Error(`${url} did not give a Redis Cluster connection`);
      await waitUntilReady(cluster, 10_000);
      for (const node of cluster.nodes('master')) await unlinkUnder(node, prefix);
      await cluster.quit();
    } finally {
      cluster.disconnect();
    }
    return;
  }
  const conn = new Redis(url, { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0, connectionName: 'test-cleanup' });
  // connect() rejects with "Connection is closed."; why it closed comes as an error event.
  let refused = false;
  conn.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'ECONNREFUSED') refused = true;
  });
  try {
    await conn.connect();
  } catch (err) {
    conn.disconnect();
    if (refused) return;
    throw err;
  }
  try {
    await unlinkUnder(conn, prefix);
    await conn.quit();
  } finally {
    conn.disconnect();
  }
}

export interface TestRedis {
  redis: Redis;
  prefix: string;
  keys: Keys;
  /** Deletes every key under the prefix and closes the connection. */
  cleanup(): Promise<void>;
}

export async function testRedis(label = 't'): Promise<TestRedis> {
  const redis = new Redis(redisUrl(), { maxRetriesPerRequest: null });
  const prefix = uniquePrefix(label);
  const keys = createKeys(prefix);
  return {
    redis,
    prefix,
    keys,
    async cleanup() {
      await unlinkUnder(redis, prefix);
      await redis.quit();
    },
  };
}
