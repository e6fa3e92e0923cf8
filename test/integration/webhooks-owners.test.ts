import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isTerminal, type Status } from '../../src/withdrawals/status.ts';
import { newSecret } from '../../src/webhooks/secret.ts';
import { callApi } from '../support/http.ts';
import { withdrawalBody } from '../support/invoices.ts';
import { eventually, startPipeline, type Pipeline } from '../support/pipeline.ts';

/**
 * Two producers (`tester`, `other`) and an operator (`ops`) share one deployment: each producer's
 * endpoints and events stay its own; the operator's endpoint and the WEBHOOK_URL one get everything.
 */

interface Delivery {
  path: string;
  id: string;
  withdrawalId: string;
}

const OTHER_TOKEN = 'other-token-0001';
const THIRD_TOKEN = 'third-token-0001';
const MAX = 4;

let p: Pipeline;
let receiver: Server;
let base = '';
const deliveries: Delivery[] = [];
const other = (method: string, path: string, body?: unknown) => callApi(p.baseUrl, OTHER_TOKEN, method, path, body);
const third = (method: string, path: string, body?: unknown) => callApi(p.baseUrl, THIRD_TOKEN, method, path, body);

beforeAll(async () => {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const event = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      deliveries.push({ path: req.url ?? '', id: event.id, withdrawalId: event.data?.id ?? '' });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  p = await startPipeline({
    env: {
      API_TOKENS: `tester=test-token-00001,other=${OTHER_TOKEN},third=${THIRD_TOKEN}`,
      WEBHOOK_ALLOW_PRIVATE: 'true',
      WEBHOOK_MAX_ENDPOINTS: String(MAX),
      WEBHOOK_URL: `${base}/config`,
      WEBHOOK_SECRET: newSecret(),
      WEBHOOK_EVENTS: 'withdrawal.queued',
      WEBHOOK_BACKOFF_MS: '50',
    },
  });
});
afterAll(async () => {
  await p.close();
  await new Promise((resolve) => receiver.close(resolve));
});

const withdrawalsAt = (path: string) => [...new Set(deliveries.filter((d) => d.path === path).map((d) => d.withdrawalId))].sort();

// Each test registers endpoints of its own (delivering to paths of its own) and starts with none but
// the WEBHOOK_URL one: what a test lists, counts or receives is what it made.
afterEach(async () => {
  const list: { id: string; source: string }[] = (await p.operator('GET', '/v1/webhooks')).body.webhooks;
  for (const w of list) if (w.source !== 'config') expect((await p.operator('DELETE', `/v1/webhooks/${w.id}`)).status).toBe(204);
});

let registrations = 0;
/** One endpoint each for `tester`, `other` and the operator, delivering to paths no other test uses. */
async function registerEach() {
  const tag = `r${++registrations}`;
  const paths = { tester: `/${tag}/tester`, other: `/${tag}/other`, ops: `/${tag}/ops` };
  const [t, o, ops] = await Promise.all([
    p.call('POST', '/v1/webhooks', { url: `${base}${paths.tester}` }),
    other('POST', '/v1/webhooks', { url: `${base}${paths.other}` }),
    p.operator('POST', '/v1/webhooks', { url: `${base}${paths.ops}` }),
  ]);
  expect([t.status, o.status, ops.status]).toEqual([201, 201, 201]);
  expect([t.body.owner, o.body.owner, ops.body.owner]).toEqual(['tester', 'other', 'ops']);
  return { ids: { tester: t.body.id as string, other: o.body.id as string, ops: ops.body.id as string }, paths };
}

/** A payout of `tester` and one of `other`, both final, their last events delivered to `opsPath`. */
async function payBoth(opsPath: string): Promise<{ tester: string; other: string }> {
  const [t, o] = [withdrawalBody('aurpay').body, withdrawalBody('turinpay').body];
  expect((await p.call('POST', '/v1/withdrawals', t)).status).toBe(202);
  expect((await other('POST', '/v1/withdrawals', o)).status).toBe(202);
  const done = async (id: string, as: typeof other) => isTerminal((await as('GET', `/v1/withdrawals/${id}`)).body.status as Status);
  await eventually(async () => ((await done(t.id, p.call)) && (await done(o.id, other)) ? true : undefined), 30_000, 'both payouts final');
  // The last event of each withdrawal reached the operator's endpoint: so did every earlier one (lanes keep order).
  const finals = async () =>
    (await p.operator('GET', '/v1/events?limit=1000')).body.events.filter(
      (e: { type: string; data: { id?: string } }) => /succeeded|failed/.test(e.type) && (e.data.id === t.id || e.data.id === o.id),
    );
  await eventually(async () => {
    const last = await finals();
    return last.length === 2 && last.every((e: { id: string }) => deliveries.some((d) => d.path === opsPath && d.id === e.id)) ? true : undefined;
  }, 20_000, 'final events delivered');
  return { tester: t.id, other: o.id };
}

/** Every event `as` may read, oldest first. */
async function eventsSeenBy(as: typeof other): Promise<{ id: string; type: string; data: { id?: string } }[]> {
  const all: { id: string; type: string; data: { id?: string } }[] = [];
  let after = '';
  for (;;) {
    const page = (await as('GET', `/v1/events?limit=1000${after ? `&after=${after}` : ''}`)).body;
    if (page.events.length === 0) return all;
    all.push(...page.events);
    after = page.next;
  }
}

describe('endpoints and deliveries of two producers and an operator', () => {
  it('registers one endpoint each; every producer lists its own alone, the operator all of them', async () => {
    const { ids } = await registerEach();
    const owners = async (answer: Promise<{ body: { webhooks: { id: string; owner: string | null }[] } }>) =>
      (await answer).body.webhooks.map((w) => `${w.id}:${w.owner}`).sort();
    expect(await owners(p.call('GET', '/v1/webhooks'))).toEqual([`${ids.tester}:tester`]);
    expect(await owners(other('GET', '/v1/webhooks'))).toEqual([`${ids.other}:other`]);
    expect(await owners(p.operator('GET', '/v1/webhooks'))).toEqual(
      [`${ids.tester}:tester`, `${ids.other}:other`, `${ids.ops}:ops`, 'wh_config:null'].sort(),
    );
  });

  it("delivers each producer's events to its own endpoint only, and everyone's to the operator's and WEBHOOK_URL's", async () => {
    const { paths } = await registerEach();
    const paid = await payBoth(paths.ops);
    const both = [paid.tester, paid.other].sort();
    // WEBHOOK_URL's endpoint gets every test's payouts: this test's two are among them.
    const atConfig = () => withdrawalsAt('/config').filter((id) => both.includes(id));
    await eventually(async () => (atConfig().length === 2 ? true : undefined), 10_000, 'WEBHOOK_URL deliveries');
    await new Promise((r) => setTimeout(r, 300));
    expect(withdrawalsAt(paths.tester)).toEqual([paid.tester]);
    expect(withdrawalsAt(paths.other)).toEqual([paid.other]);
    expect(withdrawalsAt(paths.ops)).toEqual(both);
    expect(atConfig()).toEqual(both);
    const count = (path: string, id: string) => deliveries.filter((d) => d.path === path && d.withdrawalId === id).length;
    expect(count(paths.tester, paid.tester)).toBe(count(paths.ops, paid.tester));
    expect(count(paths.other, paid.other)).toBe(count(paths.ops, paid.other));
  });

  it("answers 404, exactly as for a missing endpoint, when a producer reads, removes or replays another's", async () => {
    const { ids } = await registerEach();
    const missing = await p.call('GET', '/v1/webhooks/wh_00000000000000000000');
    expect(missing.status).toBe(404);
    for (const [method, suffix, body] of [
      ['GET', '', undefined],
      ['DELETE', '', undefined],
      ['POST', '/replay', { after: `evt_${'0'.repeat(26)}` }],
    ] as const) {
      for (const id of [ids.other, ids.ops]) {
        const res = await p.call(method, `/v1/webhooks/${id}${suffix}`, body);
        expect(res.status, `${method} ${id}${suffix}`).toBe(404);
        expect(res.body.error).toEqual({ ...missing.body.error, message: `no webhook endpoint ${id}` });
      }
    }
    expect((await other('GET', `/v1/webhooks/${ids.other}`)).status).toBe(200);
    expect((await p.operator('GET', `/v1/webhooks/${ids.other}`)).body.owner).toBe('other');
  });

  it("replays to a producer's endpoint its own events only: another's eventId answers 404", async () => {
    const { ids, paths } = await registerEach();
    const paid = await payBoth(paths.ops);
    const othersEvent = (await eventsSeenBy(p.operator)).find((e) => e.data.id === paid.other);
    // Every event of `tester` kept in the stream: this test's payout and any earlier one.
    const mine = await eventsSeenBy(p.call);
    const live = mine.filter((e) => e.data.id === paid.tester).length;
    if (!othersEvent || live === 0) throw new Error('events missing');
    await eventually(async () => (deliveries.filter((d) => d.path === paths.tester).length === live ? true : undefined), 10_000, 'live deliveries');
    const refused = await p.call('POST', `/v1/webhooks/${ids.tester}/replay`, { eventId: othersEvent.id });
    expect(refused.status).toBe(404);
    expect(refused.body.error).toEqual({ code: 'not_found', message: 'no such event is kept in the event stream', issues: [] });
    const range = await p.call('POST', `/v1/webhooks/${ids.tester}/replay`, { after: `evt_${'0'.repeat(26)}` });
    expect(range.status).toBe(202);
    expect(range.body.replayed).toBe(mine.length);
    await eventually(async () => (deliveries.filter((d) => d.path === paths.tester).length === live + mine.length ? true : undefined), 10_000, 'replay');
    await new Promise((r) => setTimeout(r, 300));
    expect(withdrawalsAt(paths.tester)).toEqual([...new Set(mine.map((e) => e.data.id ?? ''))].sort());
    expect(withdrawalsAt(paths.tester)).not.toContain(paid.other);
    // The operator may replay any event to any endpoint.
    expect((await p.operator('POST', `/v1/webhooks/${ids.other}/replay`, { eventId: othersEvent.id })).status).toBe(202);
  });

  it("lets a producer remove its own endpoint, and an operator anyone's", async () => {
    const { ids } = await registerEach();
    expect((await other('DELETE', `/v1/webhooks/${ids.other}`)).status).toBe(204);
    expect((await p.operator('DELETE', `/v1/webhooks/${ids.tester}`)).status).toBe(204);
    expect((await p.call('GET', '/v1/webhooks')).body.webhooks).toEqual([]);
    expect((await other('GET', '/v1/webhooks')).body.webhooks).toEqual([]);
  });
});

describe('WEBHOOK_MAX_ENDPOINTS', () => {
  it('registers at most that many per producer, even when the registrations race', async () => {
    const answers = await Promise.all(Array.from({ length: 3 * MAX }, (_, i) => third('POST', '/v1/webhooks', { url: `https://93.184.216.34/hook-${i}` })));
    const created = answers.filter((a) => a.status === 201);
    const refused = answers.filter((a) => a.status !== 201);
    expect(created).toHaveLength(MAX);
    for (const r of refused) {
      expect(r.status).toBe(400);
      expect(r.body.error.code).toBe('invalid_request');
      expect(r.body.error.message).toMatch(new RegExp(`at most ${MAX} webhook endpoints per producer .*DELETE /v1/webhooks/:id`));
    }
    expect((await third('GET', '/v1/webhooks')).body.webhooks).toHaveLength(MAX);
  });

  it('counts each producer on its own, and frees a place when one is removed', async () => {
    for (let i = 0; i < MAX; i++) expect((await third('POST', '/v1/webhooks', { url: `https://93.184.216.34/hook-${i}` })).status).toBe(201);
    const mine = await p.call('POST', '/v1/webhooks', { url: 'https://93.184.216.34/tester-hook' });
    expect(mine.status).toBe(201);
    expect((await third('POST', '/v1/webhooks', { url: 'https://93.184.216.34/one-more' })).status).toBe(400);
    const [oldest] = (await third('GET', '/v1/webhooks')).body.webhooks;
    expect((await third('DELETE', `/v1/webhooks/${oldest.id}`)).status).toBe(204);
    expect((await third('POST', '/v1/webhooks', { url: 'https://93.184.216.34/one-more' })).status).toBe(201);
    expect((await third('POST', '/v1/webhooks', { url: 'https://93.184.216.34/too-many' })).status).toBe(400);
  });
});
