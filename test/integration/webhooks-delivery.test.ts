import { createServer } from 'node:http';
import type { AddressInfo, LookupFunction } from 'node:net';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_PRODUCER, producer, type Caller } from '../../src/callers.ts';
import { toEventId, ZERO_STREAM_ID } from '../../src/events/ids.ts';
import type { WithdrawalEvent } from '../../src/events/types.ts';
import { createLogger } from '../../src/logger.ts';
import type { DeliveryResult, PostEvent } from '../../src/webhooks/deliver.ts';
import type { Endpoint } from '../../src/webhooks/endpoint.ts';
import { createLanes, laneId } from '../../src/webhooks/lanes.ts';
import { mayManage } from '../../src/webhooks/ownership.ts';
import { enqueueHeads } from '../../src/webhooks/queue.ts';
import { newSecret } from '../../src/webhooks/secret.ts';
import { createWebhooks, type RunningWebhooks, type WebhookSettings, type Webhooks } from '../../src/webhooks/service.ts';
import { createStore, type WithdrawalStore } from '../../src/withdrawals/store.ts';
import { eventually } from '../support/pipeline.ts';
import { redisUrl, testRedis, type TestRedis } from '../support/redis.ts';
import { BUILTIN_PROVIDER_NAMES } from '../../src/providers/index.ts';

/** One "process": its own Redis connection, webhook service, dispatcher and delivery worker. */
interface Proc {
  conn: Redis;
  webhooks: Webhooks;
  running: RunningWebhooks;
}

interface Harness {
  t: TestRedis;
  store: WithdrawalStore;
  procs: Proc[];
  deliveries: { endpointId: string; event: WithdrawalEvent }[];
  register(events?: Endpoint['events'], owner?: Caller): Promise<Endpoint>;
  stop(proc: Proc): Promise<void>;
}

let current: Harness | undefined;
afterEach(async () => {
  if (!current) return;
  for (const p of current.procs) await current.stop(p);
  await current.t.cleanup();
  current = undefined;
});

interface HarnessOptions {
  processes?: number;
  attempts?: number;
  post?(endpoint: Endpoint, event: WithdrawalEvent): Promise<DeliveryResult>;
  /** Deliver over HTTP with the service's own agent (and this resolver) instead of a fake. */
  http?: { lookup: LookupFunction };
}

async function harness(opts: HarnessOptions): Promise<Harness> {
  const t = await testRedis('wh');
  const store = createStore({ redis: t.redis, keys: t.keys, eventsMaxLen: 0, providers: BUILTIN_PROVIDER_NAMES });
  const deliveries: Harness['deliveries'] = [];
  const post: PostEvent = async (endpoint, event) => {
    const res = opts.post ? await opts.post(endpoint, event) : { ok: true as const, status: 200 };
    if (res.ok) deliveries.push({ endpointId: endpoint.id, event });
    return res;
  };
  const settings: WebhookSettings = {
    attempts: opts.attempts ?? 10,
    backoffMs: 10,
    timeoutMs: 1000,
    concurrency: 8,
    configured: null,
    // The endpoints are registered straight in the registry (no URL check); deliveries are faked.
    allowPrivate: false,
    maxEndpoints: 16,
    dispatchBatch: 50,
    dispatcher: { blockMs: 100, leaseMs: 1000, repairEveryMs: 200, laneIdleMs: 300 },
  };
  const logger = createLogger('silent');
  const procs: Proc[] = [];
  for (let i = 0; i < (opts.processes ?? 1); i++) {
    const conn = new Redis(redisUrl(), { maxRetriesPerRequest: null });
    const webhooks = createWebhooks({ connection: conn, requestRedis: conn, keys: t.keys, logger, settings, lookup: opts.http?.lookup });
    procs.push({ conn, webhooks, running: await webhooks.start(opts.http ? {} : { post }) });
  }
  const first = procs[0];
  if (!first) throw new Error('no process');
  current = {
    t,
    store,
    procs,
    deliveries,
    async register(events = null, owner = producer()) {
      const ep = await first.webhooks.api.registry.create({ url: 'http://127.0.0.1:9/hook', ...(events ? { events } : {}) }, owner, 16);
      if (ep === 'limit') throw new Error('endpoint limit reached');
      return ep;
    },
    async stop(proc) {
      await proc.running.close();
      await proc.webhooks.queue.close();
      if (proc.conn.status !== 'end') await proc.conn.quit();
    },
  };
  return current;
}

const LIFE = [
  ['queued', 'submitting'],
  ['submitting', 'submitted'],
  ['submitted', 'succeeded'],
] as const;

/** A withdrawal through its whole life: four events (queued, submitting, submitted, succeeded). */
async function payout(store: WithdrawalStore, id: string, owner = DEFAULT_PRODUCER, over: Partial<Parameters<WithdrawalStore['create']>[0]> = {}): Promise<void> {
  await store.create({
    id,
    owner,
    provider: 'aurpay',
    bodyHash: 'h',
    invoice: null,
    address: null,
    paymentHash: null,
    amountMsat: 1000n,
    sendAmountMsat: null,
    batchId: null,
    description: null,
    metadata: null,
    reconcileDeadline: Date.now() + 3_600_000,
    ...over,
  });
  for (const [from, to] of LIFE) await store.transition(id, { from, to, cause: 'test' });
}

const withdrawalOf = (e: WithdrawalEvent) => (e.data as { id: string }).id;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('webhook fan-out', () => {
  it('gives each event to each endpoint once, with three processes dispatching and one of them stopping', async () => {
    const h = await harness({ processes: 3 });
    const all = await h.register();
    const onlySucceeded = await h.register(['withdrawal.succeeded']);
    await Promise.all(Array.from({ length: 15 }, (_, i) => payout(h.store, `a-${i}`)));
    await eventually(async () => (h.deliveries.length >= 15 * 5 ? true : undefined), 15_000, 'first deliveries');

    const leader = h.procs.find((p) => p.running.dispatcher.isLeader());
    expect(leader).toBeDefined();
    expect(h.procs.filter((p) => p.running.dispatcher.isLeader())).toHaveLength(1);
    if (leader) await h.stop(leader);
    await Promise.all(Array.from({ length: 5 }, (_, i) => payout(h.store, `b-${i}`)));
    await eventually(async () => (h.deliveries.length >= 20 * 5 ? true : undefined), 15_000, 'deliveries after the leader stopped');
    await sleep(500);

    const keys = h.deliveries.map((d) => `${d.endpointId}/${d.event.id}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(h.deliveries.filter((d) => d.endpointId === all.id)).toHaveLength(80);
    const narrow = h.deliveries.filter((d) => d.endpointId === onlySucceeded.id);
    expect(narrow).toHaveLength(20);
    expect(narrow.every((d) => d.event.type === 'withdrawal.succeeded')).toBe(true);
  });

  it('delivers each event with the whole record as it was then, though its stored copy leaves the metadata and invoice out', async () => {
    const h = await harness({});
    await h.register();
    const metadata = { order: 'o-1', note: 'n'.repeat(4000) };
    await payout(h.store, 'whole', DEFAULT_PRODUCER, { metadata, invoice: 'lnbcrt1whole', paymentHash: 'ph-whole', description: 'rent' });
    await eventually(async () => (h.deliveries.length >= 4 ? true : undefined), 10_000, 'deliveries');
    const stored = await h.t.redis.xrange(h.t.keys.ownerEvents(DEFAULT_PRODUCER), '-', '+');
    expect(stored).toHaveLength(4);
    expect(stored.some(([, f]) => f.join(' ').includes('nnnn') || f.join(' ').includes('lnbcrt1whole'))).toBe(false);
    expect(h.deliveries.map((d) => (d.event.data as { status: string }).status)).toEqual(['queued', 'submitting', 'submitted', 'succeeded']);
    for (const d of h.deliveries) {
      expect(d.event.data).toMatchObject({ id: 'whole', owner: DEFAULT_PRODUCER, metadata, invoice: 'lnbcrt1whole', paymentHash: 'ph-whole', description: 'rent' });
    }
  });

  it('sends an endpoint only the events after it was registered', async () => {
    const h = await harness({});
    await payout(h.store, 'before');
    const ep = await h.register();
    await payout(h.store, 'after');
    await eventually(async () => (h.deliveries.length >= 4 ? true : undefined), 10_000, 'deliveries');
    await sleep(300);
    expect(h.deliveries.map((d) => `${withdrawalOf(d.event)}:${d.event.type}`)).toEqual(
      ['queued', 'submitting', 'submitted', 'succeeded'].map((s) => `after:withdrawal.${s}`),
    );
    expect(h.deliveries.every((d) => d.endpointId === ep.id)).toBe(true);
  });
});

describe('webhook delivery order and retries', () => {
  it('delivers the events of a withdrawal in order and one at a time, through failures and delays', async () => {
    const inFlight = new Map<string, number>();
    let overlap = false;
    let calls = 0;
    const h = await harness({
      processes: 2,
      async post(endpoint, event) {
        const lane = `${endpoint.id}/${withdrawalOf(event)}`;
        const n = (inFlight.get(lane) ?? 0) + 1;
        inFlight.set(lane, n);
        if (n > 1) overlap = true;
        await sleep(Math.floor(Math.random() * 15));
        inFlight.set(lane, (inFlight.get(lane) ?? 1) - 1);
        calls++;
        return Math.random() < 0.35 ? { ok: false, reason: 'HTTP 500' } : { ok: true, status: 204 };
      },
    });
    await h.register();
    await h.register();
    await Promise.all(Array.from({ length: 12 }, (_, i) => payout(h.store, `o-${i}`)));
    await eventually(async () => (h.deliveries.length >= 12 * 4 * 2 ? true : undefined), 30_000, 'every delivery');

    expect(overlap).toBe(false);
    expect(calls).toBeGreaterThan(h.deliveries.length);
    const byLane = new Map<string, string[]>();
    for (const d of h.deliveries) {
      const lane = `${d.endpointId}/${withdrawalOf(d.event)}`;
      byLane.set(lane, [...(byLane.get(lane) ?? []), d.event.type]);
    }
    expect(byLane.size).toBe(24);
    for (const types of byLane.values()) {
      expect(types).toEqual(['queued', 'submitting', 'submitted', 'succeeded'].map((s) => `withdrawal.${s}`));
    }
    // The counters move after the lane does, a moment after the receiver saw the delivery.
    const totals = () => h.procs.map((p) => p.webhooks.stats.snapshot()).reduce((a, b) => ({ delivered: a.delivered + b.delivered, retried: a.retried + b.retried }), { delivered: 0, retried: 0 });
    await eventually(async () => (totals().delivered === 96 ? true : undefined), 5_000, 'delivered counter');
    expect(totals().retried).toBe(calls - 96);
  });

  it('dead-letters an event after the retry budget, keeps the job failed and moves on to the next event', async () => {
    const h = await harness({
      attempts: 3,
      post: async (_endpoint, event) => (event.type === 'withdrawal.submitting' ? { ok: false, reason: 'HTTP 503' } : { ok: true, status: 200 }),
    });
    const ep = await h.register();
    await payout(h.store, 'dl-1');
    await eventually(async () => (h.deliveries.length >= 3 ? true : undefined), 10_000, 'the other deliveries');
    expect(h.deliveries.map((d) => d.event.type)).toEqual(['withdrawal.queued', 'withdrawal.submitted', 'withdrawal.succeeded']);

    const proc = h.procs[0];
    if (!proc) throw new Error('no process');
    await eventually(async () => ((await proc.webhooks.queue.getFailedCount()) === 1 ? true : undefined), 5_000, 'the dead letter');
    const failed = await proc.webhooks.queue.getFailed();
    expect(failed).toHaveLength(1);
    expect(failed[0]?.failedReason).toBe('HTTP 503');
    expect(failed[0]?.attemptsMade).toBe(3);
    expect(failed[0]?.id).toMatch(new RegExp(`^${ep.id}\\.evt_`));
    expect(JSON.stringify(failed[0]?.data)).not.toContain(ep.secret);
    await eventually(async () => (proc.webhooks.stats.snapshot().delivered === 3 ? true : undefined), 5_000, 'delivered counter');
    expect(proc.webhooks.stats.snapshot()).toEqual({ delivered: 3, retried: 2, dead_lettered: 1, skipped: 0, deferred: 0, dropped: 0 });
  });

  it('skips the pending events of an endpoint removed meanwhile', async () => {
    let release: (() => void) | undefined;
    const gate = new Promise<void>((r) => (release = r));
    const h = await harness({ post: async () => (await gate, { ok: true, status: 200 }) });
    const ep = await h.register();
    await payout(h.store, 'rm-1');
    const proc = h.procs[0];
    if (!proc) throw new Error('no process');
    await eventually(async () => ((await proc.webhooks.queue.getActiveCount()) === 1 ? true : undefined), 10_000, 'first delivery in flight');
    const lane = h.t.keys.webhookLane(laneId({ endpointId: ep.id, replayId: '', subject: 'w:rm-1' }));
    await eventually(async () => ((await h.t.redis.zcard(lane)) === 4 ? true : undefined), 10_000, 'every event fanned out');
    expect(await proc.webhooks.api.registry.remove(ep.id)).toBe('removed');
    release?.();
    await eventually(async () => (proc.webhooks.stats.snapshot().skipped === 3 ? true : undefined), 10_000, 'the rest skipped');
    expect(h.deliveries).toHaveLength(1);
  });
});

describe('lane repair', () => {
  it('gives a lane head whose job was lost (a crash after the fan-out) its job', async () => {
    const h = await harness({});
    const ep = await h.register();
    await payout(h.store, 'lost-1');
    await eventually(async () => (h.deliveries.length >= 4 ? true : undefined), 10_000, 'live deliveries');
    // A lane pushed without its job, as if the process died between the two steps.
    const queued = h.deliveries[0]?.event;
    if (!queued) throw new Error('no event');
    const lane = laneId({ endpointId: ep.id, replayId: 'rp_crash', subject: `w:${withdrawalOf(queued)}` });
    const lanes = createLanes(h.t.redis, h.t.keys);
    expect(await lanes.push([{ lane, eventId: queued.id }])).toEqual([{ lane, eventId: queued.id }]);
    await eventually(async () => (h.deliveries.length >= 5 ? true : undefined), 10_000, 'repaired delivery');
    expect(h.deliveries[4]?.event.id).toBe(queued.id);
    await eventually(async () => ((await h.t.redis.zcard(h.t.keys.webhookLanes)) === 0 ? true : undefined), 5_000, 'lane index emptied');
  });
});

describe('whose events go where', () => {
  it("gives a producer's endpoint that producer's events alone, and an operator's endpoint everyone's", async () => {
    const h = await harness({});
    const alice = await h.register(null, producer('alice'));
    const bob = await h.register(null, producer('bob'));
    const ops = await h.register(null, { name: 'ops', role: 'operator' });
    await payout(h.store, 'al-1', 'alice');
    await payout(h.store, 'bo-1', 'bob');
    await payout(h.store, 'de-1');
    await eventually(async () => (h.deliveries.length >= 4 + 4 + 12 ? true : undefined), 10_000, 'deliveries');
    await sleep(300);
    const to = (ep: Endpoint) => [...new Set(h.deliveries.filter((d) => d.endpointId === ep.id).map((d) => withdrawalOf(d.event)))].sort();
    expect(to(alice)).toEqual(['al-1']);
    expect(to(bob)).toEqual(['bo-1']);
    expect(to(ops)).toEqual(['al-1', 'bo-1', 'de-1']);
    expect(h.deliveries).toHaveLength(20);
  });

  it("replays to a producer's endpoint none of another producer's events", async () => {
    const h = await harness({});
    await payout(h.store, 'al-2', 'alice');
    await payout(h.store, 'bo-2', 'bob');
    const alice = await h.register(null, producer('alice'));
    const proc = h.procs[0];
    if (!proc) throw new Error('no process');
    const entries = await h.t.redis.xrange(h.t.keys.events, '-', '+');
    const bobs = entries.find(([, fields]) => fields.includes('bob'));
    if (!bobs) throw new Error('no event of bob');
    expect(await proc.webhooks.api.replay(alice, { eventId: toEventId(bobs[0]) })).toBeNull();
    const range = await proc.webhooks.api.replay(alice, { after: toEventId(ZERO_STREAM_ID) });
    expect(range?.replayed).toBe(4);
    await eventually(async () => (h.deliveries.length >= 4 ? true : undefined), 10_000, 'replayed deliveries');
    await sleep(300);
    expect(h.deliveries.map((d) => withdrawalOf(d.event))).toEqual(['al-2', 'al-2', 'al-2', 'al-2']);
  });

  it("reads an endpoint stored before owners as the producer default's, and counts it against default's limit", async () => {
    const h = await harness({});
    const proc = h.procs[0];
    if (!proc) throw new Error('no process');
    const legacy = { id: 'wh_legacy', url: 'https://93.184.216.34/old', events: null, secret: newSecret(), since: 'evt_0', createdAt: new Date().toISOString() };
    await h.t.redis.hset(h.t.keys.webhookEndpoints, legacy.id, JSON.stringify(legacy));
    const { registry } = proc.webhooks.api;
    const ep = await registry.get(legacy.id);
    if (!ep) throw new Error('legacy endpoint unreadable');
    expect(ep.owner).toEqual({ name: DEFAULT_PRODUCER, role: 'producer' });
    expect([mayManage(producer(), ep), mayManage(producer('alice'), ep), mayManage({ name: 'ops', role: 'operator' }, ep)]).toEqual([true, false, true]);
    expect(await registry.create({ url: 'https://93.184.216.34/new' }, producer(), 1)).toBe('limit');
    expect(await registry.create({ url: 'https://93.184.216.34/new' }, producer('alice'), 1)).toMatchObject({ owner: { name: 'alice', role: 'producer' } });
    expect(await h.t.redis.hlen(h.t.keys.webhookEndpoints)).toBe(2);
  });

  it("skips, where it is sent, another producer's event found in a producer's lane", async () => {
    const h = await harness({});
    const alice = await h.register(null, producer('alice'));
    await payout(h.store, 'bo-3', 'bob');
    const proc = h.procs[0];
    const [first] = await h.t.redis.xrange(h.t.keys.events, '-', '+', 'COUNT', 1);
    if (!proc || !first) throw new Error('no process or event');
    // As if a lane had been filled wrongly: the processor must still refuse to send it.
    const lane = laneId({ endpointId: alice.id, replayId: 'rp_forged', subject: 'w:bo-3' });
    const heads = await createLanes(h.t.redis, h.t.keys).push([{ lane, eventId: toEventId(first[0]) }]);
    await enqueueHeads(proc.webhooks.queue, heads === 'stale' ? [] : heads);
    await eventually(async () => (proc.webhooks.stats.snapshot().skipped === 1 ? true : undefined), 10_000, 'the skip');
    expect(h.deliveries).toEqual([]);
  });
});

describe('the URL policy on the delivery path', () => {
  it('dead-letters, without connecting, the deliveries to a name that rebinds to loopback after registration', async () => {
    let requests = 0;
    const receiver = createServer((req, res) => {
      requests++;
      req.resume();
      req.on('end', () => res.writeHead(204).end());
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const port = (receiver.address() as AddressInfo).port;
    // A rebinding DNS: a public address while the registration looks, loopback once deliveries connect.
    let answer = '93.184.216.34';
    const lookup: LookupFunction = (_hostname, options, callback) =>
      options.all ? callback(null, [{ address: answer, family: 4 }]) : callback(null, answer, 4);
    try {
      const h = await harness({ attempts: 2, http: { lookup } });
      const proc = h.procs[0];
      if (!proc) throw new Error('no process');
      const reg = await proc.webhooks.api.register(producer(), { url: `http://rebind.example:${port}/hook` });
      expect(reg.ok).toBe(true);
      answer = '127.0.0.1';
      await payout(h.store, 'rb-1');
      await eventually(async () => ((await proc.webhooks.queue.getFailedCount()) === 4 ? true : undefined), 15_000, 'four dead letters');
      const failed = await proc.webhooks.queue.getFailed();
      for (const job of failed) {
        expect(job.failedReason).toMatch(/^refused: 127\.0\.0\.1 is not a public address \(loopback\)/);
        expect(job.attemptsMade).toBe(2);
      }
      expect(requests).toBe(0);
    } finally {
      await new Promise((resolve) => receiver.close(resolve));
    }
  });
});
