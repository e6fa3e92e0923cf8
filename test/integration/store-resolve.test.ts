import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStore } from '../../src/withdrawals/store.ts';
import type { ResolvedInvoice } from '../../src/withdrawals/store.ts';
import { newWithdrawal } from '../support/new-withdrawal.ts';
import { testRedis, type TestRedis } from '../support/redis.ts';
import { BUILTIN_PROVIDER_NAMES } from '../../src/providers/index.ts';

/** resolve.lua: a Lightning Address withdrawal's invoice is stored once, with its payment-hash claim, or not at all. */

let t: TestRedis;
let store: ReturnType<typeof createStore>;

beforeAll(async () => {
  t = await testRedis('store-resolve');
  store = createStore({ redis: t.redis, keys: t.keys, eventsMaxLen: 0, providers: BUILTIN_PROVIDER_NAMES });
});
afterAll(async () => t.cleanup());

const addressed = (id: string) => newWithdrawal(id, { invoice: null, paymentHash: null, lightningAddress: 'alice@wallet.example.com', amountMsat: 21_000n });

const EXPIRES = Date.now() + 3_600_000;

function resolved(hash: string, over: Partial<ResolvedInvoice> = {}): ResolvedInvoice {
  return { invoice: `lnbcrt210n1${hash.slice(0, 10)}`, paymentHash: hash, expiresAt: EXPIRES, descriptionHashMatches: true, reconcileDeadline: Date.now() + 7_200_000, cause: 'resolved', ...over };
}

const hash = (c: string) => c.repeat(64);
/** The withdrawal the payment-hash index names for this hash, or null. */
const indexed = (h: string) => t.redis.hget(t.keys.paymentHash(h), t.keys.paymentHashField(h));

describe('storing a resolved invoice', () => {
  it('stores the invoice, hash and expiry with a history entry, and claims the payment hash', async () => {
    await store.create(addressed('r1'));
    expect(await store.storeInvoice('r1', resolved(hash('a')))).toEqual({ kind: 'stored' });
    const rec = await store.get('r1');
    expect(rec).toMatchObject({ status: 'queued', invoice: resolved(hash('a')).invoice, paymentHash: hash('a'), lightningAddress: 'alice@wallet.example.com' });
    expect(rec?.history.map((h) => h.cause)).toEqual([expect.stringContaining('accepted'), 'resolved']);
    expect(await indexed(hash('a'))).toBe('r1');
    expect((await store.read('r1'))?.expiresAt).toBe(EXPIRES);
  });

  it('never replaces a stored invoice', async () => {
    expect(await store.storeInvoice('r1', resolved(hash('b')))).toEqual({ kind: 'resolved', invoice: resolved(hash('a')).invoice });
    expect((await store.get('r1'))?.paymentHash).toBe(hash('a'));
    expect(await indexed(hash('b'))).toBeNull();
  });

  it('refuses a payment hash another withdrawal holds, writing nothing', async () => {
    await store.create(addressed('r2'));
    expect(await store.storeInvoice('r2', resolved(hash('a')))).toEqual({ kind: 'invoice_used', otherId: 'r1' });
    const rec = await store.get('r2');
    expect(rec).toMatchObject({ invoice: null, paymentHash: null });
    expect(rec?.history).toHaveLength(1);
  });

  it('refuses a payment hash indexed the way it was before the index hashes (a key of its own), writing nothing', async () => {
    await t.redis.set(t.keys.legacyPaymentHash(hash('e')), 'before');
    await store.create(addressed('r6'));
    expect(await store.storeInvoice('r6', resolved(hash('e')))).toEqual({ kind: 'invoice_used', otherId: 'before' });
    expect((await store.get('r6'))?.invoice).toBeNull();
    expect(await indexed(hash('e'))).toBeNull();
  });

  it('writes nothing for a withdrawal no longer queued', async () => {
    await store.create(addressed('r3'));
    expect((await store.transition('r3', { from: 'queued', to: 'cancelled', cause: 'test' })).ok).toBe(true);
    expect(await store.storeInvoice('r3', resolved(hash('c')))).toEqual({ kind: 'status', status: 'cancelled' });
    expect(await indexed(hash('c'))).toBeNull();
  });

  it('keeps the time resolution was first tried, for every later attempt, and forgets it after keepMs', async () => {
    expect(await store.resolveStartedAt('r9', 1_000, 60_000)).toBe(1_000);
    expect(await store.resolveStartedAt('r9', 5_000, 60_000)).toBe(1_000);
    const ttl = await t.redis.pttl(t.keys.resolveStart('r9'));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60_000);
  });

  it('refuses malformed input before any write', async () => {
    await store.create(addressed('r4'));
    await expect(store.storeInvoice('r4', resolved('not-a-hash'))).rejects.toThrow(/payment hash/);
    await expect(store.storeInvoice('r4', resolved(hash('d'), { expiresAt: Number.NaN }))).rejects.toThrow(/expiresAt/);
    expect((await store.get('r4'))?.invoice).toBeNull();
  });

  it('lets a queued Lightning Address withdrawal fail before any attempt, its amount given back', async () => {
    await store.create(addressed('r5'));
    expect((await store.transition('r5', { from: 'queued', to: 'failed', cause: 'lnurl' })).ok).toBe(true);
    expect((await store.get('r5'))?.status).toBe('failed');
  });
});
