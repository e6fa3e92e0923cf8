import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import { Redis } from 'ioredis';
import { createKeys, type Keys } from '../../src/keys.ts';

export function redisUrl(): string {
  return inject('redisUrl');
}

/** A fresh prefix per test file or test, so tests never see each other's keys. */
export function uniquePrefix(label = 't'): string {
  return `${label}-${randomUUID().slice(0, 8)}`;
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
      let cursor = '0';
      do {
        const [next, found] = await redis.scan(cursor, 'MATCH', `{${prefix}}*`, 'COUNT', 1000);
        cursor = next;
        if (found.length) await redis.del(...found);
      } while (cursor !== '0');
      await redis.quit();
    },
  };
}
