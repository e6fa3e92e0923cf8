import { MAX_EVENTS_PAGE_BYTES } from '../../src/events/reader.ts';
import { BUILTIN_PROVIDER_NAMES } from '../../src/providers/index.ts';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commandCalls, commandDelta } from '../../bench/redis-stats.ts';
import { toStreamId } from '../../src/events/ids.ts';
import { startRedisServer, type PrivateRedis } from '../../src/demo/redis-server.ts';
import { createKeys } from '../../src/keys.ts';
import { createStore } from '../../src/withdrawals/store.ts';
import { newWithdrawal } from '../support/new-withdrawal.ts';

// A Redis of this file's own: the commands a page costs are counted in its INFO commandstats.
let server: PrivateRedis;
let redis: Redis;

beforeAll(async () => {
  server = await startRedisServer();
  redis = new Redis(server.url, { maxRetriesPerRequest: null });
});
afterAll(async () => {
  await redis.quit();
  await server.stop();
});

/** The answer of `fn` and the Redis commands it ran. */
async function measured<T>(fn: () => Promise<T>): Promise<{ result: T; commands: Record<string, number> }> {
  const before = await commandCalls(redis);
  const result = await fn();
  return { result, commands: commandDelta(before, await commandCalls(redis)).byCommand };
}

const bigMetadata = { note: 'm'.repeat(8000) };

describe('events per owner', () => {
  it("a producer's page reads its own events alone: the same commands, page and cursor whatever another producer wrote", async () => {
    const store = createStore({ redis, keys: createKeys('own'), eventsMaxLen: 0, providers: BUILTIN_PROVIDER_NAMES });
    for (let i = 0; i < 3; i++) await store.create(newWithdrawal(`a${i}`, { owner: 'alice' }));
    await store.transition('a0', { from: 'queued', to: 'cancelled', cause: 'test' });
    const first = await measured(() => store.events(null, 100, 'alice'));
    expect(first.result.events.map((e) => e.type)).toEqual(['withdrawal.queued', 'withdrawal.queued', 'withdrawal.queued', 'withdrawal.cancelled']);

    // Another producer writes many events, before and after alice's last one.
    for (let i = 0; i < 400; i++) await store.create(newWithdrawal(`b${i}`, { owner: 'bob', metadata: bigMetadata }));
    for (let i = 0; i < 100; i++) await store.transition(`b${i}`, { from: 'queued', to: 'cancelled', cause: 'test' });

    const again = await measured(() => store.events(null, 100, 'alice'));
    expect(again.result).toEqual(first.result);
    expect(again.commands).toEqual(first.commands);
    // Past alice's last event: nothing, and the cursor stays where it was (bob's events do not move it).
    const past = await measured(() => store.events(toStreamId(first.result.next), 100, 'alice'));
    expect(past.result).toEqual({ events: [], next: first.result.next });
    expect(Object.keys(past.commands)).toEqual(['xrange']);
    // An operator's pages read every owner's events; with 8 KiB metadata each page stops near 1 MiB.
    const seen: string[] = [];
    let after: string | null = null;
    for (let pages = 0; pages < 20; pages++) {
      const page = await store.events(after, 1000, null);
      if (page.events.length === 0) break;
      const bytes = page.events.reduce((n, e) => n + JSON.stringify(e.data).length, 0);
      expect(bytes).toBeLessThan(MAX_EVENTS_PAGE_BYTES + 100 * 9000);
      seen.push(...page.events.map((e) => e.id));
      after = toStreamId(page.next);
    }
    expect(seen).toHaveLength(4 + 500);
    expect(new Set(seen).size).toBe(504);
  });

  it('stops a page of large events near MAX_EVENTS_PAGE_BYTES, and the next page goes on from there', async () => {
    const store = createStore({ redis, keys: createKeys('page-bytes'), eventsMaxLen: 0, providers: BUILTIN_PROVIDER_NAMES });
    for (let i = 0; i < 400; i++) await store.create(newWithdrawal(`c${i}`, { owner: 'carol', metadata: bigMetadata }));
    const first = await store.events(null, 1000, 'carol');
    expect(first.events.length).toBeGreaterThan(0);
    expect(first.events.length).toBeLessThan(400);
    const bytes = first.events.reduce((n, e) => n + JSON.stringify(e.data).length, 0);
    expect(bytes).toBeGreaterThanOrEqual(MAX_EVENTS_PAGE_BYTES);
    expect(bytes).toBeLessThan(MAX_EVENTS_PAGE_BYTES + 100 * 9000);
    const second = await store.events(toStreamId(first.next), 1000, 'carol');
    expect(second.events[0]?.data).toMatchObject({ id: `c${first.events.length}` });
  });

  it('an event paged after slimming carries the whole record as it was at the event', async () => {
    const keys = createKeys('slim');
    const store = createStore({ redis, keys, eventsMaxLen: 0, providers: BUILTIN_PROVIDER_NAMES });
    await store.create(newWithdrawal('s1', { owner: 'carol', metadata: bigMetadata, description: 'rent' }));
    await store.transition('s1', { from: 'queued', to: 'submitting', cause: 'test', newFence: 'f1', countAttempt: true });
    await store.transition('s1', { from: 'submitting', to: 'failed', fence: 'f1', cause: 'test', change: { failure: { code: 'no_route', message: 'none' } } });

    // What is stored per event: no copy of the metadata, the invoice or the description.
    const stored = await redis.xrange(keys.ownerEvents('carol'), '-', '+');
    expect(stored).toHaveLength(3);
    for (const [, fields] of stored) {
      expect(fields.join(' ')).not.toContain('mmmm');
      expect(fields.join(' ')).not.toContain('lnbcrt1');
      expect(fields).toContain('fill');
    }
    const totalBytes = stored.reduce((n, [, f]) => n + f.join('').length, 0);
    expect(totalBytes).toBeLessThan(3 * 1000);

    const { events } = await store.events(null, 10, 'carol');
    const record = await store.get('s1');
    expect(events.map((e) => (e.data as { status: string }).status)).toEqual(['queued', 'submitting', 'failed']);
    for (const e of events) {
      expect(e.data).toMatchObject({ id: 's1', owner: 'carol', invoice: 'lnbcrt1...', paymentHash: 'ph-s1', description: 'rent', metadata: bigMetadata });
    }
    // Each as the record was then: the first has no attempt and no failure, the last has both.
    expect(events[0]?.data).toMatchObject({ attempts: 0, failure: null });
    expect(events[2]?.data).toMatchObject({ attempts: 1, failure: { code: 'no_route' }, updatedAt: record?.updatedAt });
    // In the view's order, as GET shows it.
    expect(Object.keys(events[0]?.data as object)).toEqual([
      'id', 'provider', 'status', 'invoice', 'lightningAddress', 'address', 'paymentHash', 'amountMsat', 'feeMsat', 'providerRef',
      'attempts', 'batchId', 'failure', 'description', 'metadata', 'createdAt', 'updatedAt', 'owner',
    ]);
    // The operators' page shows the same events.
    expect((await store.events(null, 10, null)).events).toEqual(events);
  });

  it('keeps each event stream within about EVENTS_MAX_BYTES, oldest trimmed first', async () => {
    const keys = createKeys('bytes');
    const maxBytes = 64 * 1024;
    const store = createStore({ redis, keys, eventsMaxLen: 0, eventsMaxBytes: maxBytes, providers: BUILTIN_PROVIDER_NAMES });
    const n = 1500;
    for (let i = 0; i < n; i++) await store.create(newWithdrawal(`t${i}`, { owner: 'dave' }));
    for (const key of [keys.ownerEvents('dave'), keys.events]) {
      const len = await redis.xlen(key);
      expect(len).toBeGreaterThan(0);
      expect(len).toBeLessThan(n);
      // Measured every few events, trimmed by whole nodes: about the budget, never far past it.
      expect(Number(await redis.memory('USAGE', key))).toBeLessThan(2 * maxBytes);
    }
    const { events } = await store.events(null, 1000, 'dave');
    expect((events[0]?.data as { id: string }).id).not.toBe('t0');
    expect((events.at(-1)?.data as { id: string }).id).toBe(`t${n - 1}`);
    // The operators' page skips what the owner's stream no longer keeps, and shows what it does.
    const ops = await store.events(null, 1000, null);
    expect(ops.events).toEqual(events);
    expect(ops.next).toBe(events.at(-1)?.id);
  });
});
