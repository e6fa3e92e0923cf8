import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CREATE_KEYS_PER_ITEM } from '../../src/withdrawals/store/create.ts';
import { createStore, IllegalTransitionError } from '../../src/withdrawals/store.ts';
import { newWithdrawal } from '../support/new-withdrawal.ts';
import { testRedis, type TestRedis } from '../support/redis.ts';
import { BUILTIN_PROVIDER_NAMES } from '../../src/providers/index.ts';

let t: TestRedis;
let store: ReturnType<typeof createStore>;

beforeAll(async () => {
  t = await testRedis('store');
  store = createStore({ redis: t.redis, keys: t.keys, eventsMaxLen: 0, providers: BUILTIN_PROVIDER_NAMES });
});
afterAll(async () => t.cleanup());

const w = newWithdrawal;

describe('withdrawal store', () => {
  it('creates a record with history, and answers replays and conflicts by body hash', async () => {
    const first = await store.create(w('a1'));
    expect(first.kind).toBe('created');
    if (first.kind !== 'created') return;
    expect(first.record.status).toBe('queued');
    expect(first.record.metadata).toEqual({ a: [1, 2], b: {} });
    expect(first.record.history.map((h) => h.status)).toEqual(['queued']);
    expect((await store.create(w('a1'))).kind).toBe('exists');
    expect((await store.create(w('a1', { bodyHash: 'other' }))).kind).toBe('conflict');
  });

  it('sends the creates of one event-loop turn together, 64 per script call, each decided as if alone and in order', async () => {
    // The store defined its scripts on the connection it was given: wrap the one it calls.
    const r = t.redis as unknown as { wdCreate(...a: unknown[]): Promise<unknown> };
    const original = r.wdCreate.bind(r);
    const calls: number[] = [];
    r.wdCreate = (...a: unknown[]) => {
      calls.push(Number(a[0]) / CREATE_KEYS_PER_ITEM);
      return original(...a);
    };
    try {
      const many = Array.from({ length: 150 }, (_, i) => w(`m${i}`));
      const results = await Promise.all([
        ...many.map((x) => store.create(x)),
        store.create(w('m0')), // the same body again, in the same turn: a replay
        store.create(w('m1', { bodyHash: 'other' })), // another body under a used id
        store.create(w('m-other', { paymentHash: 'ph-m2' })), // m2's invoice again
      ]);
      expect(results.slice(0, 150).every((x) => x.kind === 'created')).toBe(true);
      expect(results.slice(150).map((x) => x.kind)).toEqual(['exists', 'conflict', 'invoice_used']);
      expect(results[152]).toEqual({ kind: 'invoice_used', otherId: 'm2', otherOwner: 'default' });
      expect(calls).toEqual([64, 64, 25]);
      expect((await store.get('m149'))?.history.map((h) => h.status)).toEqual(['queued']);
      expect(await store.get('m-other')).toBeNull();
    } finally {
      r.wdCreate = original;
    }
  });

  it('refuses a second withdrawal for the same payment hash', async () => {
    await store.create(w('b1', { paymentHash: 'same' }));
    const second = await store.create(w('b2', { paymentHash: 'same' }));
    expect(second).toEqual({ kind: 'invoice_used', otherId: 'b1', otherOwner: 'default' });
    expect(await store.get('b2')).toBeNull();
    expect(await t.redis.hget(t.keys.paymentHash('same'), t.keys.paymentHashField('same'))).toBe('b1');
  });

  it('refuses a payment hash indexed the way it was before the index hashes (a key of its own), writing nothing', async () => {
    const held = 'f'.repeat(64);
    await t.redis.set(t.keys.legacyPaymentHash(held), 'before');
    expect(await store.create(w('b3', { paymentHash: held }))).toMatchObject({ kind: 'invoice_used', otherId: 'before' });
    expect(await store.get('b3')).toBeNull();
    expect(await t.redis.hget(t.keys.paymentHash(held), t.keys.paymentHashField(held))).toBeNull();
  });

  it('moves status only by compare-and-set along allowed edges, with the fence checked', async () => {
    await store.create(w('c1'));
    expect(await store.transition('c1', { from: 'queued', to: 'submitting', newFence: 'f1', cause: 'x', countAttempt: true })).toEqual({ ok: true });
    expect(await store.transition('c1', { from: 'queued', to: 'submitting', newFence: 'f2', cause: 'x' })).toEqual({
      ok: false,
      reason: 'conflict',
      current: 'submitting',
    });
    expect(await store.transition('c1', { from: 'submitting', to: 'submitted', fence: 'wrong', cause: 'x' })).toEqual({
      ok: false,
      reason: 'fenced',
      current: 'submitting',
    });
    await expect(store.transition('c1', { from: 'submitting', to: 'cancelled', fence: 'f1', cause: 'x' })).rejects.toBeInstanceOf(
      IllegalTransitionError,
    );
    expect(await store.transition('c1', { from: 'submitting', to: 'submitted', fence: 'f1', cause: 'accepted', change: { providerRef: 'r1' } })).toEqual({
      ok: true,
    });
    const rec = await store.get('c1');
    expect(rec?.status).toBe('submitted');
    expect(rec?.providerRef).toBe('r1');
    expect(rec?.attempts).toBe(1);
    expect(rec?.history.map((h) => h.status)).toEqual(['queued', 'submitting', 'submitted']);
    const counts = await store.countByStatus(['aurpay', 'turinpay'] as const);
    expect(counts.turinpay.submitted).toBeGreaterThanOrEqual(1);
  });

  it('reads a withdrawal back typed: its status, amounts, fence and round as the scripts left them', async () => {
    await store.create(w('e1', { route: ['aurpay', 'turinpay'], batchId: null, expiresAt: 1_800_000_000_000 }));
    expect(await store.read('e1')).toMatchObject({ id: 'e1', status: 'queued', provider: 'turinpay', amountMsat: 1000n, fence: null, round: 0, attempts: 0, route: ['aurpay', 'turinpay'], tried: [], expiresAt: 1_800_000_000_000 });
    await store.transition('e1', { from: 'queued', to: 'submitting', newFence: 'f1', cause: 'x', countAttempt: true });
    await store.transition('e1', { from: 'submitting', to: 'unknown', fence: 'f1', cause: 'x', change: { feeMsat: 25n } });
    expect(await store.read('e1')).toMatchObject({ status: 'unknown', fence: 'f1', attempts: 1, feeMsat: 25n });
    await store.transition('e1', { from: 'unknown', to: 'needs_review', cause: 'x' });
    await store.transition('e1', { from: 'needs_review', to: 'queued', cause: 'resubmit', newRound: true });
    expect(await store.read('e1')).toMatchObject({ status: 'queued', round: 1 });
    expect(await store.read('nope')).toBeNull();
    expect((await store.listRecords(['e1', 'nope'])).map((r) => [r.id, r.status, r.history])).toEqual([['e1', 'queued', []]]);
  });

  it('writes one event per status change in the same step', async () => {
    await store.create(w('d1'));
    await store.transition('d1', { from: 'queued', to: 'cancelled', cause: 'operator' });
    const asMap = (f: string[]) => new Map(f.flatMap((v, i) => (i % 2 === 0 ? [[v, f[i + 1] ?? '']] : [])));
    // Every owner's stream: a slim entry per event, naming its owner and subject.
    const index = (await t.redis.xrange(t.keys.events, '-', '+')).map(([id, f]) => ({ id, f: asMap(f) })).filter((e) => e.f.get('subject') === 'w:d1');
    expect(index.map((e) => e.f.get('type'))).toEqual(['withdrawal.queued', 'withdrawal.cancelled']);
    expect(index.map((e) => e.f.get('owner'))).toEqual(['default', 'default']);
    expect(index.every((e) => !e.f.has('data'))).toBe(true);
    // The owner's stream: the same ids, with the record's data (its metadata read back from the record).
    const own = (await t.redis.xrange(t.keys.ownerEvents('default'), '-', '+')).filter(([, f]) => asMap(f).get('data')?.includes('"id":"d1"'));
    expect(own.map(([id]) => id)).toEqual(index.map((e) => e.id));
    const page = await store.events(null, 1000, 'default');
    const data = page.events.filter((e) => (e.data as { id?: string }).id === 'd1')[1]?.data;
    expect(data).toMatchObject({ id: 'd1', status: 'cancelled', amountMsat: '1000', metadata: { a: [1, 2], b: {} } });
  });

  it('stores a provider reference that is the payment hash as one character, and reads and tells it as the hash', async () => {
    const hash = 'a'.repeat(64);
    await store.create(w('ref1', { paymentHash: hash }));
    await store.transition('ref1', { from: 'queued', to: 'submitting', newFence: 'f', cause: 'x', countAttempt: true });
    await store.transition('ref1', { from: 'submitting', to: 'submitted', fence: 'f', cause: 'x', change: { providerRef: hash } });
    expect(await t.redis.hget(t.keys.record('ref1'), 'providerRef')).toBe('=');
    expect((await store.get('ref1'))?.providerRef).toBe(hash);
    expect((await store.read('ref1'))?.providerRef).toBe(hash);
    expect((await store.listRecords(['ref1']))[0]?.providerRef).toBe(hash);
    // The next event's view is read from the stored record.
    await store.transition('ref1', { from: 'submitted', to: 'succeeded', cause: 'x' });
    const events = (await store.events(null, 1000, 'default')).events.filter((e) => (e.data as { id?: string }).id === 'ref1');
    expect(events.map((e) => [(e.data as { status: string }).status, (e.data as { providerRef: string | null }).providerRef])).toEqual([
      ['queued', null],
      ['submitting', null],
      ['submitted', hash],
      ['succeeded', hash],
    ]);
    // Any other reference is stored as given; '=' itself is refused, writing nothing.
    await store.create(w('ref2', { paymentHash: 'b'.repeat(64) }));
    await store.transition('ref2', { from: 'queued', to: 'submitting', newFence: 'f', cause: 'x', countAttempt: true });
    await expect(store.transition('ref2', { from: 'submitting', to: 'submitted', fence: 'f', cause: 'x', change: { providerRef: '=' } })).rejects.toThrow(/providerRef/);
    expect((await store.get('ref2'))?.status).toBe('submitting');
    await store.transition('ref2', { from: 'submitting', to: 'submitted', fence: 'f', cause: 'x', change: { providerRef: 'tx-77' } });
    expect(await t.redis.hget(t.keys.record('ref2'), 'providerRef')).toBe('tx-77');
  });

  it('keeps the first 32 hex digits of a body hash, and answers a replay as exists whichever length the record holds', async () => {
    const hash = '0123456789abcdef'.repeat(4);
    const other = 'f'.repeat(64);
    expect((await store.create(w('bh1', { bodyHash: hash }))).kind).toBe('created');
    expect(await t.redis.hget(t.keys.record('bh1'), 'bodyHash')).toBe(hash.slice(0, 32));
    expect((await store.create(w('bh1', { bodyHash: hash }))).kind).toBe('exists');
    expect((await store.create(w('bh1', { bodyHash: other }))).kind).toBe('conflict');
    // A record stored with the whole hash, as records were before.
    await t.redis.hset(t.keys.record('bh1'), 'bodyHash', hash);
    expect((await store.create(w('bh1', { bodyHash: hash }))).kind).toBe('exists');
    expect((await store.create(w('bh1', { bodyHash: other }))).kind).toBe('conflict');
  });

  it('stores a lowercase invoice packed, and answers it as given in reads, listings and events', async () => {
    const invoice = `lnbcrt10u1${'qpzry9x8gf2tvdw0s3jn54khce6mua7l'.repeat(8)}`;
    await store.create(w('inv1', { invoice, paymentHash: 'c'.repeat(64) }));
    const stored = await t.redis.hget(t.keys.record('inv1'), 'invoice');
    expect(stored?.startsWith('~lnbcrt10u1.')).toBe(true);
    expect(stored?.length).toBeLessThan(invoice.length - 35);
    expect((await store.get('inv1'))?.invoice).toBe(invoice);
    expect((await store.listRecords(['inv1']))[0]?.invoice).toBe(invoice);
    const events = (await store.events(null, 1000, 'default')).events.filter((e) => (e.data as { id?: string }).id === 'inv1');
    expect(events.map((e) => (e.data as { invoice: string }).invoice)).toEqual([invoice]);
  });
});
