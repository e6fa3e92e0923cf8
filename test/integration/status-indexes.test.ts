/**
 * The status indexes: an in-flight status's sorted set (ids scored by when they entered it), a final
 * status's stream (one entry per withdrawal that entered it, never removed), and the sorted set a
 * final status was indexed in before its stream, still counted and listed after it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStore } from '../../src/withdrawals/store.ts';
import { newWithdrawal } from '../support/new-withdrawal.ts';
import { testRedis, type TestRedis } from '../support/redis.ts';
import { BUILTIN_PROVIDER_NAMES } from '../../src/providers/index.ts';

let t: TestRedis;
let store: ReturnType<typeof createStore>;
let clock = Date.parse('2026-11-21T10:00:00.000Z');

beforeAll(async () => {
  t = await testRedis('status-indexes');
  store = createStore({ redis: t.redis, keys: t.keys, eventsMaxLen: 0, now: () => new Date(clock), providers: BUILTIN_PROVIDER_NAMES });
});
afterAll(async () => t.cleanup());

describe('status indexes', () => {
  it('indexes a final status in a stream, newest last, and counts and lists it with the sorted set it had before', async () => {
    // Two withdrawals cancelled the way the store indexed them before the streams.
    await t.redis.zadd(t.keys.legacyFinalSet('turinpay', 'cancelled'), 1, 'old-0', 2, 'old-1');
    for (const id of ['c-0', 'c-1', 'c-2']) {
      clock += 1000;
      expect((await store.create(newWithdrawal(id))).kind).toBe('created');
      expect(await store.transition(id, { from: 'queued', to: 'cancelled', cause: 'test' })).toEqual({ ok: true });
    }
    expect(await t.redis.type(t.keys.statusSet('turinpay', 'cancelled'))).toBe('stream');
    expect(await t.redis.zscore(t.keys.statusSet('turinpay', 'queued'), 'c-0')).toBeNull();
    expect((await store.countByStatus(['turinpay'] as const)).turinpay.cancelled).toBe(5);
    expect(await store.newestIn('turinpay', 'cancelled', 2)).toEqual(['c-2', 'c-1']);
    expect(await store.newestIn('turinpay', 'cancelled', 4)).toEqual(['c-2', 'c-1', 'c-0', 'old-1']);
    expect(await store.newestIn('turinpay', 'cancelled', 100)).toEqual(['c-2', 'c-1', 'c-0', 'old-1', 'old-0']);
  });

  it('keeps an in-flight status in a sorted set, oldest first, and refuses to read either kind as the other', async () => {
    clock += 1000;
    expect((await store.create(newWithdrawal('q-0'))).kind).toBe('created');
    expect(await store.idsInStatus('turinpay', 'queued')).toContain('q-0');
    expect(await store.oldestIn('turinpay', 'queued')).toBe(clock);
    await expect(store.idsInStatus('turinpay', 'succeeded')).rejects.toBeInstanceOf(RangeError);
    await expect(store.newestIn('turinpay', 'queued', 1)).rejects.toBeInstanceOf(RangeError);
  });
});
