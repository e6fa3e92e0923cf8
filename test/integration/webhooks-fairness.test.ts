import { createServer, type ServerResponse, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callApi } from '../support/http.ts';
import { withdrawalBody } from '../support/invoices.ts';
import { eventually, startPipeline, type Pipeline } from '../support/pipeline.ts';

/**
 * One owner's endpoint that never answers holds at most WEBHOOK_MAX_IN_FLIGHT_PER_OWNER of the
 * delivery slots: another owner's delivery goes through meanwhile. Replays are bounded per caller.
 */
const OTHER_TOKEN = 'other-token-0001';
const CONCURRENCY = 4;
const PER_OWNER = 2;
const REPLAYS_PER_MIN = 2;

let p: Pipeline;
let receiver: Server;
let base = '';
/** Requests to /slow, held unanswered until released. */
const held: ServerResponse[] = [];
let slowInFlightMax = 0;
let slowDelivered = 0;
const fast: string[] = [];
let releaseAll = false;
const other = (method: string, path: string, body?: unknown) => callApi(p.baseUrl, OTHER_TOKEN, method, path, body);

beforeAll(async () => {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.url === '/slow' && !releaseAll) {
        held.push(res);
        slowInFlightMax = Math.max(slowInFlightMax, held.length);
        res.on('close', () => held.splice(held.indexOf(res), 1));
        return;
      }
      if (req.url === '/slow') slowDelivered++;
      else fast.push(JSON.parse(Buffer.concat(chunks).toString('utf8')).id);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  p = await startPipeline({
    env: {
      API_TOKENS: `tester=test-token-00001,other=${OTHER_TOKEN}`,
      WEBHOOK_ALLOW_PRIVATE: 'true',
      WEBHOOK_CONCURRENCY: String(CONCURRENCY),
      WEBHOOK_MAX_IN_FLIGHT_PER_OWNER: String(PER_OWNER),
      WEBHOOK_TIMEOUT_MS: '60000',
      WEBHOOK_REPLAYS_PER_MIN: String(REPLAYS_PER_MIN),
    },
  });
});
afterAll(async () => {
  releaseAll = true;
  for (const res of [...held]) res.writeHead(204).end();
  await p?.close();
  receiver.closeAllConnections();
  await new Promise((resolve) => receiver.close(resolve));
});

describe('webhook deliveries per owner', () => {
  it("delivers another owner's event while one owner's endpoint holds every request it gets, using at most its share of the slots", async () => {
    expect((await p.call('POST', '/v1/webhooks', { url: `${base}/slow`, events: ['withdrawal.queued'] })).status).toBe(201);
    for (let i = 0; i < 8; i++) expect((await p.call('POST', '/v1/withdrawals', withdrawalBody('aurpay').body)).status).toBe(202);
    await eventually(async () => (held.length === PER_OWNER ? true : undefined), 15_000, "the slow owner's slots in flight");

    expect((await other('POST', '/v1/webhooks', { url: `${base}/fast`, events: ['withdrawal.queued'] })).status).toBe(201);
    const { body } = withdrawalBody('turinpay');
    expect((await other('POST', '/v1/withdrawals', body)).status).toBe(202);
    // Without per-owner slots the slow endpoint's 8 lanes would fill all 4 and hold them for WEBHOOK_TIMEOUT_MS.
    await eventually(async () => (fast.length >= 1 ? true : undefined), 15_000, "the other owner's delivery");
    expect(held.length).toBe(PER_OWNER);
    expect(slowInFlightMax).toBe(PER_OWNER);
    expect(p.runtime.webhooks.stats.snapshot().deferred).toBeGreaterThan(0);

    // Released, the slow endpoint gets every event it waited for.
    releaseAll = true;
    for (const res of [...held]) {
      slowDelivered++;
      res.writeHead(204).end();
    }
    await eventually(async () => (slowDelivered >= 8 ? true : undefined), 20_000, 'every slow delivery');
    const metrics = await (await fetch(`${p.baseUrl}/metrics`)).text();
    expect(metrics).toMatch(/^withdrawals_webhook_deliveries_total\{outcome="deferred"\} [1-9]/m);
  });
});

describe('webhook replays', () => {
  it('answers 429 rate_limited with Retry-After past WEBHOOK_REPLAYS_PER_MIN per caller', async () => {
    const { id } = (await other('POST', '/v1/webhooks', { url: `${base}/fast-replay` })).body;
    const [eventId] = fast;
    for (let i = 0; i < REPLAYS_PER_MIN; i++) expect((await other('POST', `/v1/webhooks/${id}/replay`, { eventId })).status).toBe(202);
    const res = await fetch(`${p.baseUrl}/v1/webhooks/${id}/replay`, {
      method: 'POST',
      headers: { authorization: `Bearer ${OTHER_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ eventId }),
    });
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(((await res.json()) as { error: { code: string; message: string } }).error).toMatchObject({ code: 'rate_limited' });
    // Another caller has its own budget.
    const own = (await p.call('GET', '/v1/webhooks')).body.webhooks[0].id;
    expect((await p.call('POST', `/v1/webhooks/${own}/replay`, { after: eventId })).status).toBe(202);
  });
});
