/**
 * The store's listing (GET /v1/withdrawals): newest first in the order of creation; one owner's or
 * everyone's, then what the sorted sets the listings were before hold; a batch's; a status filter
 * that examines a bounded window per page and says where to read on; cursors that cannot be forged
 * into another listing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStore, InvalidCursorError, STATUS_SCAN_WINDOW, type ListQuery } from '../../src/withdrawals/store.ts';
import { newWithdrawal } from '../support/new-withdrawal.ts';
import { testRedis, type TestRedis } from '../support/redis.ts';
import { BUILTIN_PROVIDER_NAMES } from '../../src/providers/index.ts';

let t: TestRedis;
let store: ReturnType<typeof createStore>;
let clock = Date.parse('2026-11-21T10:00:00.000Z');

beforeAll(async () => {
  t = await testRedis('listing');
  store = createStore({ redis: t.redis, keys: t.keys, eventsMaxLen: 0, now: () => new Date(clock), providers: BUILTIN_PROVIDER_NAMES });
});
afterAll(async () => t.cleanup());

const q = (over: Partial<ListQuery>): ListQuery => ({ owner: null, status: null, batchId: null, limit: 100, cursor: null, ...over });
const ids = (page: { withdrawals: { id: string }[] }) => page.withdrawals.map((w) => w.id);

/** Every page of a listing, following `next`. */
async function all(query: ListQuery): Promise<{ ids: string[]; pages: number }> {
  const seen: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const page = await store.list({ ...query, cursor });
    seen.push(...ids(page));
    cursor = page.next;
    pages++;
  } while (cursor !== null && pages < 10_000);
  return { ids: seen, pages };
}

describe('listing withdrawals', () => {
  it('pages one owner\'s withdrawals newest first, ties (one create call) in the order created, without histories', async () => {
    for (const [i, owner] of ['shop', 'other', 'shop', 'shop'].entries()) {
      clock += 1000;
      expect((await store.create(newWithdrawal(`own-${i}`, { owner }))).kind).toBe('created');
    }
    // Created in the same millisecond.
    clock += 1000;
    await Promise.all(['own-tie-a', 'own-tie-b'].map((id) => store.create(newWithdrawal(id, { owner: 'shop' }))));

    const first = await store.list(q({ owner: 'shop', limit: 2 }));
    expect(ids(first)).toEqual(['own-tie-b', 'own-tie-a']);
    expect(first.withdrawals[0]?.history).toEqual([]);
    expect(first.next).not.toBeNull();
    const second = await store.list(q({ owner: 'shop', limit: 2, cursor: first.next }));
    expect(ids(second)).toEqual(['own-3', 'own-2']);
    const third = await store.list(q({ owner: 'shop', limit: 2, cursor: second.next }));
    expect(ids(third)).toEqual(['own-0']);
    expect(third.next).toBeNull();

    expect((await all(q({ owner: 'other' }))).ids).toEqual(['own-1']);
    expect((await all(q({ owner: 'nobody' }))).ids).toEqual([]);
    const everyone = (await all(q({ limit: 1 }))).ids;
    expect(everyone.filter((id) => id.startsWith('own-'))).toEqual(['own-tie-b', 'own-tie-a', 'own-3', 'own-2', 'own-1', 'own-0']);
  });

  it('lists a batch newest first, its owner\'s alone, and filters it by status', async () => {
    clock += 1000;
    const items = ['b-0', 'b-1', 'b-2'];
    for (const id of items) expect((await store.create(newWithdrawal(id, { owner: 'shop', batchId: 'batch-1' }))).kind).toBe('created');
    await store.transition('b-1', { from: 'queued', to: 'cancelled', cause: 'test' });

    expect((await all(q({ owner: 'shop', batchId: 'batch-1', limit: 2 }))).ids).toEqual(['b-2', 'b-1', 'b-0']);
    expect((await all(q({ batchId: 'batch-1', limit: 1 }))).ids).toEqual(['b-2', 'b-1', 'b-0']);
    expect((await all(q({ owner: 'other', batchId: 'batch-1' }))).ids).toEqual([]);
    expect((await all(q({ batchId: 'no-such-batch' }))).ids).toEqual([]);
    expect((await all(q({ owner: 'shop', batchId: 'batch-1', status: 'cancelled' }))).ids).toEqual(['b-1']);
    expect((await all(q({ owner: 'shop', batchId: 'batch-1', status: 'queued', limit: 1 }))).ids).toEqual(['b-2', 'b-0']);
  });

  it(`with a status filter, examines at most ${STATUS_SCAN_WINDOW} withdrawals per page and says where to read on`, async () => {
    clock += 1000;
    expect((await store.create(newWithdrawal('scan-old-match', { owner: 'scan' }))).kind).toBe('created');
    await store.transition('scan-old-match', { from: 'queued', to: 'cancelled', cause: 'test' });
    clock += 1000;
    const many = Array.from({ length: STATUS_SCAN_WINDOW + 10 }, (_, i) => `scan-${String(i).padStart(5, '0')}`);
    await Promise.all(many.map((id) => store.create(newWithdrawal(id, { owner: 'scan' }))));

    const first = await store.list(q({ owner: 'scan', status: 'cancelled' }));
    expect(first.withdrawals).toEqual([]);
    expect(first.next).not.toBeNull();
    const second = await store.list(q({ owner: 'scan', status: 'cancelled', cursor: first.next }));
    expect(ids(second)).toEqual(['scan-old-match']);
    expect(second.next).toBeNull();
  });

  it('refuses a cursor no page gave out, and one of another kind of listing', async () => {
    const batchPage = await store.list(q({ batchId: 'batch-1', limit: 1 }));
    const indexPage = await store.list(q({ limit: 1 }));
    for (const cursor of ['nope', 'aTo', '%%%', Buffer.from('i:123:x').toString('base64url')]) {
      await expect(store.list(q({ cursor }))).rejects.toBeInstanceOf(InvalidCursorError);
    }
    await expect(store.list(q({ cursor: batchPage.next }))).rejects.toBeInstanceOf(InvalidCursorError);
    await expect(store.list(q({ batchId: 'batch-1', cursor: indexPage.next }))).rejects.toBeInstanceOf(InvalidCursorError);
  });

  it('lists, after the streams, what the sorted sets the listings were before hold, and reads on from their cursors', async () => {
    // Two withdrawals listed the way the store listed them before its streams (members `<created ms>:<id>`, scores 0).
    const legacy = ['legacy-0', 'legacy-1'];
    clock += 1000;
    for (const id of legacy) expect((await store.create(newWithdrawal(id, { owner: 'old' }))).kind).toBe('created');
    await t.redis.del(t.keys.ownerListing('old'));
    const member = (i: number) => `${String(Date.parse('2026-01-01T00:00:00.000Z') + i).padStart(16, '0')}:${legacy[i]}`;
    await t.redis.zadd(t.keys.legacyOwnerListing('old'), 0, member(0), 0, member(1));
    clock += 1000;
    for (const id of ['new-0', 'new-1']) expect((await store.create(newWithdrawal(id, { owner: 'old' }))).kind).toBe('created');

    for (const limit of [1, 2, 3, 100]) expect((await all(q({ owner: 'old', limit }))).ids).toEqual(['new-1', 'new-0', 'legacy-1', 'legacy-0']);
    const filtered = await all(q({ owner: 'old', status: 'queued' }));
    expect(filtered.ids).toEqual(['new-1', 'new-0', 'legacy-1', 'legacy-0']);
    // A cursor the store gave out before its streams reads on in the sorted set.
    const before = Buffer.from(`i:${member(1)}`).toString('base64url');
    expect(ids(await store.list(q({ owner: 'old', cursor: before })))).toEqual(['legacy-0']);
  });
});
