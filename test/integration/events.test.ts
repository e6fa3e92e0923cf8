import fc from 'fast-check';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { toEventId, toStreamId, ZERO_EVENT_ID } from '../../src/events/ids.ts';
import { createKeys, type Keys } from '../../src/keys.ts';
import { closeRedis, createRedis, type RedisClient } from '../../src/redis.ts';
import { startPipeline, type Pipeline } from '../support/pipeline.ts';

const U64_MAX = (1n << 64n) - 1n;
const u64 = fc.bigInt({ min: 0n, max: U64_MAX });

function compareStreamIds(a: [bigint, bigint], b: [bigint, bigint]): number {
  if (a[0] !== b[0]) return a[0] < b[0] ? -1 : 1;
  return a[1] === b[1] ? 0 : a[1] < b[1] ? -1 : 1;
}

describe('event ids', () => {
  it('convert back to the exact stream id over the whole 64-bit range', () => {
    fc.assert(
      fc.property(u64, u64, (ms, seq) => {
        const streamId = `${ms}-${seq}`;
        const id = toEventId(streamId);
        expect(id).toMatch(/^evt_[0-9a-z]{26}$/);
        expect(toStreamId(id)).toBe(streamId);
      }),
    );
  });

  it('sort as strings exactly as the stream ids they come from', () => {
    fc.assert(
      fc.property(fc.tuple(u64, u64), fc.tuple(u64, u64), (a, b) => {
        const ia = toEventId(`${a[0]}-${a[1]}`);
        const ib = toEventId(`${b[0]}-${b[1]}`);
        expect(ia < ib).toBe(compareStreamIds(a, b) < 0);
        expect(ia === ib).toBe(compareStreamIds(a, b) === 0);
      }),
    );
  });

  it('refuse text that is not an event id', () => {
    for (const bad of ['', 'evt_', 'evt_123', '1-0', `evt_${'z'.repeat(26)}`, `evt_${'0'.repeat(25)}A`, `EVT_${'0'.repeat(26)}`]) {
      expect(toStreamId(bad)).toBeNull();
    }
    expect(toStreamId(ZERO_EVENT_ID)).toBe('0-0');
  });
});

describe('GET /v1/events', () => {
  let p: Pipeline;
  /** A connection of the test's own, to empty and measure the stream the service writes. */
  let redis: RedisClient;
  let keys: Keys;
  beforeAll(async () => {
    p = await startPipeline({ workers: false, env: { EVENTS_MAX_LEN: '50' } });
    redis = createRedis(p.config.REDIS_URL, { role: 'worker', connectionName: 'test-events' });
    keys = createKeys(p.config.QUEUE_PREFIX);
  });
  afterAll(async () => {
    await closeRedis(redis);
    await p.close();
  });
  // Each test starts from an empty event stream: what it pages through or trims is its own.
  beforeEach(async () => {
    await redis.del(keys.events, keys.ownerEvents('default'));
  });

  /** Each empty batch sealed is one `batch.done` event: a cheap way to write many events. */
  async function writeEvents(n: number, label: string): Promise<string[]> {
    const ids = Array.from({ length: n }, (_, i) => `${label}-${i}`);
    for (const id of ids) await p.runtime.store.sealBatch(id);
    return ids;
  }

  it('pages through every event oldest first, with next continuing where a page ended', async () => {
    const empty = await p.operator('GET', '/v1/events');
    expect(empty.status).toBe(200);
    expect(empty.body).toEqual({ events: [], next: ZERO_EVENT_ID });

    const batches = await writeEvents(25, 'page');
    const seen: { id: string; type: string; timestamp: string; data: { batchId: string; done: boolean } }[] = [];
    let after: string | undefined;
    for (let i = 0; i < 10; i++) {
      const res = await p.operator('GET', `/v1/events?limit=10${after ? `&after=${after}` : ''}`);
      expect(res.status).toBe(200);
      seen.push(...res.body.events);
      if (res.body.events.length === 0) {
        expect(res.body.next).toBe(after);
        break;
      }
      expect(res.body.events.length).toBeLessThanOrEqual(10);
      expect(res.body.next).toBe(res.body.events.at(-1).id);
      after = res.body.next;
    }
    expect(seen.map((e) => e.data.batchId)).toEqual(batches);
    expect(seen.every((e) => e.type === 'batch.done' && e.data.done && !Number.isNaN(Date.parse(e.timestamp)))).toBe(true);
    const ids = seen.map((e) => e.id);
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('answers 400 invalid_request to a bad after or limit', async () => {
    for (const q of ['after=nope', 'after=1-0', `after=evt_${'0'.repeat(25)}`, 'limit=0', 'limit=1001', 'limit=abc']) {
      const res = await p.operator('GET', `/v1/events?${q}`);
      expect(res.status, q).toBe(400);
      expect(res.body.error.code).toBe('invalid_request');
    }
    expect((await p.operator('GET', '/v1/events?limit=1000')).status).toBe(200);
  });

  it('needs the bearer token', async () => {
    const res = await fetch(`${p.baseUrl}/v1/events`);
    expect(res.status).toBe(401);
  });

  it('keeps about EVENTS_MAX_LEN events, oldest trimmed first', async () => {
    await writeEvents(10, 'early');
    await writeEvents(400, 'trim');
    const len = await redis.xlen(keys.events);
    // MAXLEN ~ trims whole stream nodes (100 entries by default), so "about" is up to a node more.
    expect(len).toBeGreaterThanOrEqual(50);
    expect(len).toBeLessThan(200);
    const first = (await p.operator('GET', '/v1/events?limit=1')).body.events[0];
    expect(first.data.batchId).not.toMatch(/^early-/);
    const last = (await p.operator('GET', `/v1/events?limit=1000&after=${first.id}`)).body.events.at(-1);
    expect(last.data.batchId).toBe('trim-399');
  });
});
