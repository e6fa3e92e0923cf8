import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BITCOIN_SUPPLY_MSAT, MSAT_PER_BTC } from '../../src/money.ts';
import { CREATE_ARGS_PER_ITEM, CREATE_KEYS_PER_ITEM } from '../../src/withdrawals/store/create.ts';
import { createStore, utcDay, type NewWithdrawal } from '../../src/withdrawals/store.ts';
import { newWithdrawal } from '../support/new-withdrawal.ts';
import { testRedis, type TestRedis } from '../support/redis.ts';
import { BUILTIN_PROVIDER_NAMES } from '../../src/providers/index.ts';

/**
 * Amounts through the real store and create.lua: the daily budget and batch amounts stay exact past
 * 1e14 msat (where Lua's tostring writes 1e+14) and at 21 million BTC (past HINCRBY's 2^63).
 */
let t: TestRedis;
let store: ReturnType<typeof createStore>;

beforeAll(async () => {
  t = await testRedis('store-amounts');
  store = createStore({ redis: t.redis, keys: t.keys, eventsMaxLen: 0, providers: BUILTIN_PROVIDER_NAMES });
});
afterAll(async () => t.cleanup());

const btc = (n: bigint) => n * MSAT_PER_BTC;
const w = (id: string, owner: string, over: Partial<NewWithdrawal> = {}) => newWithdrawal(id, { owner, ...over });

/** Every key under the test's prefix with its serialized value: equal snapshots, nothing written. */
async function snapshot(): Promise<Map<string, string>> {
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await t.redis.scan(cursor, 'MATCH', `{${t.prefix}}*`, 'COUNT', 1000);
    cursor = next;
    found.push(...keys);
  } while (cursor !== '0');
  const values = new Map<string, string>();
  for (const key of found.sort()) values.set(key, (await t.redis.dumpBuffer(key))?.toString('hex') ?? '');
  return values;
}

describe('daily amount limit past 1e14 msat', () => {
  it('a 3,000 BTC limit refuses the 4th withdrawal of 1,000 BTC and reports 3e14 msat used, exactly', async () => {
    const dailyLimits = { amountMsat: btc(3000n), count: null };
    for (const id of ['k1', 'k2', 'k3']) {
      expect((await store.create(w(id, 'big', { amountMsat: btc(1000n), dailyLimits }))).kind).toBe('created');
    }
    const fourth = await store.create(w('k4', 'big', { amountMsat: btc(1000n), dailyLimits }));
    expect(fourth).toMatchObject({ kind: 'limit_exceeded', used: { amountMsat: 300_000_000_000_000n, count: 3 } });
    expect(await store.get('k4')).toBeNull();
    expect(await store.dailyUsage('big')).toMatchObject({ amountMsat: 300_000_000_000_000n, count: 3 });
  });

  it('a 10 BTC limit holds when the day already holds 2,000 BTC accepted under a higher one', async () => {
    expect((await store.create(w('l1', 'lowered', { amountMsat: btc(2000n) }))).kind).toBe('created');
    const dailyLimits = { amountMsat: btc(10n), count: null };
    const over = await store.create(w('l2', 'lowered', { amountMsat: btc(1n), dailyLimits }));
    expect(over).toMatchObject({ kind: 'limit_exceeded', used: { amountMsat: 200_000_000_000_000n, count: 1 } });
    expect(await store.get('l2')).toBeNull();
    expect(await store.dailyUsage('lowered')).toMatchObject({ amountMsat: btc(2000n), count: 1 });
  });
});

describe('21 million BTC items', () => {
  it('five of them in one batch, in one call, keep exact sums in the batch and the day', async () => {
    const items = ['s1', 's2', 's3', 's4', 's5'].map((id) => w(id, 'supply', { amountMsat: BITCOIN_SUPPLY_MSAT, batchId: 'b-supply' }));
    const results = await Promise.all(items.map((item) => store.create(item)));
    expect(results.map((r) => r.kind)).toEqual(['created', 'created', 'created', 'created', 'created']);
    expect(await t.redis.hget(t.keys.batch('b-supply'), 'a:queued')).toBe('10500000000000000000');
    expect(await store.batchAmountMsat('b-supply')).toBe(10_500_000_000_000_000_000n);
    expect((await store.batchSummary('b-supply'))?.amountMsatByStatus).toEqual({ queued: '10500000000000000000' });
    expect(await store.dailyUsage('supply')).toMatchObject({ amountMsat: 10_500_000_000_000_000_000n, count: 5 });
  });

  it('a daily limit compares exactly at that size: one msat over is refused', async () => {
    const dailyLimits = { amountMsat: 2n * BITCOIN_SUPPLY_MSAT - 1n, count: null };
    expect((await store.create(w('e1', 'edge', { amountMsat: BITCOIN_SUPPLY_MSAT, dailyLimits }))).kind).toBe('created');
    const over = await store.create(w('e2', 'edge', { amountMsat: BITCOIN_SUPPLY_MSAT, dailyLimits }));
    expect(over).toMatchObject({ kind: 'limit_exceeded', used: { amountMsat: BITCOIN_SUPPLY_MSAT } });
    expect((await store.create(w('e3', 'edge', { amountMsat: BITCOIN_SUPPLY_MSAT - 1n, dailyLimits }))).kind).toBe('created');
  });

  it('an amount past 21 million BTC is refused for itself alone, before the call', async () => {
    const [good, bad] = await Promise.allSettled([
      store.create(w('x1', 'past', { amountMsat: btc(1n) })),
      store.create(w('x2', 'past', { amountMsat: BITCOIN_SUPPLY_MSAT + 1n })),
    ]);
    expect(good).toMatchObject({ status: 'fulfilled', value: { kind: 'created' } });
    expect(bad).toMatchObject({ status: 'rejected', reason: expect.objectContaining({ message: expect.stringMatching(/21 million BTC/) }) });
    expect(await store.get('x2')).toBeNull();
  });
});

describe('a stored amount that is no decimal', () => {
  it('refuses the withdrawal that would add to it, writing nothing, and creates the others of the call', async () => {
    const day = t.keys.dailyBudget('broken', utcDay(new Date()));
    await t.redis.hset(day, 'amount', '1e+14');
    const [broken, fine] = await Promise.allSettled([store.create(w('c1', 'broken')), store.create(w('c2', 'intact'))]);
    expect(broken).toMatchObject({ status: 'rejected', reason: expect.objectContaining({ message: expect.stringMatching(/daily amount/) }) });
    expect(fine).toMatchObject({ status: 'fulfilled', value: { kind: 'created' } });
    expect(await t.redis.hgetall(day)).toEqual({ amount: '1e+14' });
    expect(await t.redis.exists(t.keys.record('c1'), t.keys.history('c1'))).toBe(0);
    expect(await t.redis.hget(t.keys.paymentHash('ph-c1'), t.keys.paymentHashField('ph-c1'))).toBeNull();
  });
});

describe('a call with one bad item writes nothing', () => {
  // The second item's arguments start after both items' keys and the first's arguments; argument 9 is its amount.
  const SECOND = 1 + 2 * CREATE_KEYS_PER_ITEM + CREATE_ARGS_PER_ITEM;
  const bad: Array<[string, number, string]> = [
    ['an amount past 21 million BTC', SECOND + 8, '2100000000000000001'],
    ['an amount in exponent form', SECOND + 8, '1e+14'],
    ['a negative amount', SECOND + 8, '-5'],
    ['a status no withdrawal starts in', SECOND + 9, 'submitted'],
    ['an amount limit that is no decimal', SECOND + 10, '4.2e+18'],
    ['a count limit that is no integer', SECOND + 11, 'ten'],
    ['a created quota that is no integer', SECOND + 12, '1e3'],
    ['fields that are not JSON', SECOND + 3, '{"id":'],
  ];

  it.each(bad)('the second of two items with %s: an invalid_input error, and no key changed', async (_, index, value) => {
    const r = t.redis as unknown as { wdCreate(...a: unknown[]): Promise<unknown> };
    const original = r.wdCreate.bind(r);
    r.wdCreate = (...a: unknown[]) => original(...a.map((arg, i) => (i === index ? value : arg)));
    const before = await snapshot();
    try {
      const results = await Promise.allSettled([
        store.create(w(`bad-a-${index}`, 'bad', { batchId: 'b-bad' })),
        store.create(w(`bad-b-${index}`, 'bad', { batchId: 'b-bad' })),
      ]);
      for (const result of results) {
        expect(result).toMatchObject({ status: 'rejected', reason: expect.objectContaining({ message: expect.stringMatching(/invalid_input/) }) });
      }
    } finally {
      r.wdCreate = original;
    }
    expect(await snapshot()).toEqual(before);
  });
});

describe("the day's budget", () => {
  it('is kept three days from its first create, and later creates do not push that back', async () => {
    const day = t.keys.dailyBudget('ttl', utcDay(new Date()));
    expect((await store.create(w('ttl-1', 'ttl'))).kind).toBe('created');
    const first = await t.redis.ttl(day);
    expect(first).toBeGreaterThan(3 * 86400 - 10);
    expect(first).toBeLessThanOrEqual(3 * 86400);
    // A shorter expiry set meanwhile stays: the second create sets none.
    await t.redis.expire(day, 1000);
    expect((await store.create(w('ttl-2', 'ttl'))).kind).toBe('created');
    expect(await t.redis.ttl(day)).toBeLessThanOrEqual(1000);
    expect(await t.redis.hget(day, 'created')).toBe('2');
  });

  it('is given back by a cancel on the day its withdrawal was created, named from its owner and createdAt, or by the budget field of a record that holds one', async () => {
    const created = Date.parse('2026-11-21T23:59:59.900Z');
    const dated = createStore({ redis: t.redis, keys: t.keys, eventsMaxLen: 0, providers: BUILTIN_PROVIDER_NAMES, now: () => new Date(created) });
    const day = t.keys.dailyBudget('giver', '2026-11-21');
    for (const id of ['give-1', 'give-2', 'give-3']) expect((await dated.create(w(id, 'giver', { amountMsat: 1000n }))).kind).toBe('created');
    expect(await t.redis.hget(t.keys.record('give-1'), 'budget')).toBeNull();
    expect(await t.redis.hmget(day, 'amount', 'count')).toEqual(['3000', '3']);
    // The cancel runs the next day: it gives back to the day of creation.
    const later = createStore({ redis: t.redis, keys: t.keys, eventsMaxLen: 0, providers: BUILTIN_PROVIDER_NAMES, now: () => new Date(created + 1000) });
    expect(await later.transition('give-1', { from: 'queued', to: 'cancelled', cause: 'test' })).toEqual({ ok: true });
    expect(await t.redis.hmget(day, 'amount', 'count')).toEqual(['2000', '2']);
    // A record that names its budget (as records created before did) gives back to that key.
    const named = t.keys.dailyBudget('giver', 'named');
    await t.redis.hset(named, 'amount', '5000', 'count', '5');
    await t.redis.hset(t.keys.record('give-2'), 'budget', named);
    expect(await later.transition('give-2', { from: 'queued', to: 'cancelled', cause: 'test' })).toEqual({ ok: true });
    expect(await t.redis.hmget(named, 'amount', 'count')).toEqual(['4000', '4']);
    expect(await t.redis.hmget(day, 'amount', 'count')).toEqual(['2000', '2']);
  });
});
