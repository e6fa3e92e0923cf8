/**
 * Worker processes name the providers they pay through in Redis (src/queues/presence.ts): readers see
 * every name some process told within the freshness window, none after it, and nothing but names.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKeys } from '../../src/keys.ts';
import { createLogger } from '../../src/logger.ts';
import { publishProviders, servedProviders } from '../../src/queues/presence.ts';
import { closeRedis, createRedis, waitUntilReady, type RedisClient } from '../../src/redis.ts';
import { deleteKeysUnder, redisUrl, uniquePrefix } from '../support/redis.ts';

const prefix = uniquePrefix('presence');
const keys = createKeys(prefix);
const logger = createLogger('silent');
let redis: RedisClient;

beforeAll(async () => {
  redis = createRedis(redisUrl(), { role: 'request', connectionName: 'test-presence' });
  await waitUntilReady(redis, 10_000);
});
afterAll(async () => {
  await closeRedis(redis);
  await deleteKeysUnder(redisUrl(), prefix);
});

describe('the providers the workers pay through', () => {
  it('are the union of what each process tells, read back by name only', async () => {
    expect(await servedProviders(redis, keys)).toEqual([]);
    const one = await publishProviders({ redis, keys, providers: ['turinpay'], logger });
    const two = await publishProviders({ redis, keys, providers: ['aurpay', 'turinpay'], logger });
    one.stop();
    two.stop();
    expect(await servedProviders(redis, keys)).toEqual(['aurpay', 'turinpay']);
    // One sorted set: provider names, scored by when they were last told.
    expect(await redis.type(keys.meta('providers'))).toBe('zset');
    expect(await redis.zrange(keys.meta('providers'), 0, -1)).toEqual(['aurpay', 'turinpay']);
  });

  it('age out when no process has told them within the window, and stay while one keeps telling', async () => {
    const keeps = await publishProviders({ redis, keys, providers: ['aurpay'], logger, everyMs: 50 });
    await new Promise((r) => setTimeout(r, 400));
    // turinpay was last told by the first test, more than 300 ms ago; aurpay within the last 50 ms.
    expect(await servedProviders(redis, keys, 300)).toEqual(['aurpay']);
    keeps.stop();
    await new Promise((r) => setTimeout(r, 400));
    expect(await servedProviders(redis, keys, 300)).toEqual([]);
  });

  it('a process working no submit queue tells nothing', async () => {
    const other = createKeys(uniquePrefix('presence-none'));
    const none = await publishProviders({ redis, keys: other, providers: [], logger });
    none.stop();
    expect(await servedProviders(redis, other)).toEqual([]);
  });
});
