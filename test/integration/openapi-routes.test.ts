import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsPlugin from 'ajv-formats';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BATCH_BODY_LIMIT } from '../../src/api/batch-routes.ts';
import type { OpenApiDocument } from '../../src/api/openapi/index.ts';
import { withdrawalBody } from '../support/invoices.ts';
import { eventually, OPERATOR_TOKEN, startPipeline, TEST_TOKEN, type Pipeline } from '../support/pipeline.ts';

/**
 * Walks every documented route against a running pipeline: each answer's status must be documented
 * for its operation and its body must match the documented schema; at the end, every documented
 * status must have been seen, except the few listed in NOT_PRODUCED with the reason.
 */

type Json = Record<string, any>;
type Auth = 'bearer' | 'operator' | 'basic' | 'wrong' | 'none';

interface Answer {
  status: number;
  contentType: string;
  text: string;
  body: any;
}

const WEBHOOK_SECRET = `whsec_${randomBytes(32).toString('base64')}`;
const BASIC = `Basic ${Buffer.from('ops:dashboard-secret-1').toString('base64')}`;
const NOT_PRODUCED: Record<string, string> = {
  '503': 'unavailable: Redis down (shape covered by the ErrorBody schema; see test/integration/unavailable.test.ts)',
};

let p: Pipeline;
let doc: OpenApiDocument;
let ajv: Ajv2020;
const seen = new Set<string>();
const deliveries: { headers: Record<string, string>; body: string }[] = [];
let receiver: Server;
let receiverUrl = '';

beforeAll(async () => {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const headers: Record<string, string> = {};
      for (const h of ['webhook-id', 'webhook-timestamp', 'webhook-signature']) headers[h] = String(req.headers[h] ?? '');
      deliveries.push({ headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
  p = await startPipeline({
    env: {
      DASHBOARD_USER: 'ops',
      DASHBOARD_PASSWORD: 'dashboard-secret-1',
      WEBHOOK_URL: receiverUrl,
      WEBHOOK_SECRET,
      // The receiver listens on loopback, which the URL policy refuses unless allowed.
      WEBHOOK_ALLOW_PRIVATE: 'true',
      WEBHOOK_MAX_ENDPOINTS: '2',
      RECONCILE_GRACE_MS: '0',
      // Withdrawals of 1,000,000 sat or more wait for an operator's approval; the others go straight on.
      APPROVAL_THRESHOLD_MSAT: '1000000000',
    },
  });
  doc = p.api.openapi.document;
  ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormatsPlugin.default(ajv);
  ajv.addSchema(JSON.parse(JSON.stringify(doc)), 'doc');
});
afterAll(async () => {
  await p.close();
  await new Promise((resolve) => receiver.close(resolve));
});

function pointer(path: readonly string[]): string {
  return `doc#/${path.map((s) => encodeURIComponent(s.replace(/~/g, '~0').replace(/\//g, '~1'))).join('/')}`;
}

function assertMatches(path: readonly string[], value: unknown, what: string): void {
  const validate = ajv.getSchema(pointer(path));
  if (!validate) throw new Error(`no schema at ${path.join(' ')}`);
  expect(validate(value), `${what}: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(value).slice(0, 2000)}`).toBe(true);
}

/** Fails unless the document describes this answer of `method template`; returns the parsed body. */
function verify(method: string, template: string, answer: Answer): Answer {
  const op: Json | undefined = doc.paths[template]?.[method.toLowerCase()];
  expect(op, `${method} ${template} is not in the document`).toBeDefined();
  const status = String(answer.status);
  const documented: Json | undefined = op?.responses[status];
  expect(documented, `${method} ${template} answered ${status}, which the document does not describe: ${answer.text.slice(0, 300)}`).toBeDefined();
  seen.add(`${method} ${template} ${status}`);
  const what = `${method} ${template} ${status}`;
  if (!documented?.content) {
    expect(answer.text, `${what} has a body the document does not describe`).toBe('');
    return answer;
  }
  const mediaType = answer.contentType.split(';')[0]?.trim() ?? '';
  expect(Object.keys(documented.content), `${what} content type`).toContain(mediaType);
  const value = mediaType === 'application/json' ? answer.body : answer.text;
  assertMatches(['paths', template, method.toLowerCase(), 'responses', status, 'content', mediaType, 'schema'], value, what);
  return answer;
}

function authHeader(auth: Auth): Record<string, string> {
  if (auth === 'bearer') return { authorization: `Bearer ${TEST_TOKEN}` };
  if (auth === 'operator') return { authorization: `Bearer ${OPERATOR_TOKEN}` };
  if (auth === 'basic') return { authorization: BASIC };
  if (auth === 'wrong') return { authorization: 'Bearer wrong-token-000' };
  return {};
}

/** `method url` on this file's pipeline (or the one at `opts.base`), verified against the document. */
async function call(method: string, template: string, url: string, opts: { body?: unknown; type?: string; auth?: Auth; base?: string } = {}): Promise<Answer> {
  const auth = opts.auth ?? (template.startsWith('/v1/') ? 'bearer' : template.startsWith('/admin/') ? 'basic' : 'none');
  const raw = opts.body === undefined || typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
  const headers: Record<string, string> = { ...authHeader(auth), ...(raw === undefined ? {} : { 'content-type': opts.type ?? 'application/json' }) };
  const res = await fetch(`${opts.base ?? p.baseUrl}${url}`, { method, headers, body: raw });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON
  }
  return verify(method, template, { status: res.status, contentType: res.headers.get('content-type') ?? '', text, body });
}

/** The answers every JSON-body route gives before it runs: 401, 413, 415 and 400 for broken JSON. */
async function bodyRouteErrors(method: string, template: string, url: string, auth: Auth = 'bearer'): Promise<void> {
  expect((await call(method, template, url, { body: {}, auth: 'wrong' })).status).toBe(401);
  expect((await call(method, template, url, { body: { note: 'x'.repeat(70 * 1024) }, auth })).status).toBe(413);
  expect((await call(method, template, url, { body: '<note/>', type: 'application/xml', auth })).status).toBe(415);
  expect((await call(method, template, url, { body: '{"note":', auth })).status).toBe(400);
}

/** A streamed CSV whose Content-Length is over the batch limit: refused before it is read. */
function oversizedCsv(): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${p.baseUrl}/v1/batches`,
      { method: 'POST', headers: { ...authHeader('bearer'), 'content-type': 'text/csv', 'content-length': String(BATCH_BODY_LIMIT + 1) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), text, body: JSON.parse(text) });
          req.destroy();
        });
      },
    );
    req.on('error', (err) => (req.writableEnded ? undefined : reject(err)));
    req.write('id,provider,invoice\n');
  });
}

async function statusOf(id: string, wanted: string): Promise<Json> {
  return eventually(async () => {
    const rec = (await call('GET', '/v1/withdrawals/{id}', `/v1/withdrawals/${id}`)).body;
    return rec.status === wanted ? rec : undefined;
  }, 20_000, `${id} to be ${wanted}`);
}

/** A withdrawal of `tester` (the bearer token's producer), once it has succeeded: its id. */
async function paidWithdrawal(): Promise<string> {
  const { body } = withdrawalBody('turinpay');
  expect((await call('POST', '/v1/withdrawals', '/v1/withdrawals', { body })).status).toBe(202);
  await statusOf(body.id, 'succeeded');
  return body.id;
}

/** A batch of one withdrawal of `tester`, once it is done (its batch.done event written): its id. */
async function doneBatch(): Promise<string> {
  const batchId = `openapi-done-${randomUUID().slice(0, 8)}`;
  expect((await call('POST', '/v1/batches', '/v1/batches', { body: { id: batchId, items: [withdrawalBody('aurpay').body] } })).status).toBe(202);
  await eventually(async () => ((await call('GET', '/v1/batches/{id}', `/v1/batches/${batchId}`)).body.done ? true : undefined), 20_000, `${batchId} to be done`);
  return batchId;
}

// Each scenario below walks some routes and sets up what it needs itself; `call` records every
// answer's status in `seen`, for the coverage test, which runs them all.

async function withdrawalRoutes(): Promise<void> {
  const { body } = withdrawalBody('turinpay', 36_000n, { description: 'weekly payout', metadata: { userId: 'u-42' } });
  expect((await call('POST', '/v1/withdrawals', '/v1/withdrawals', { body })).status).toBe(202);
  expect((await call('POST', '/v1/withdrawals', '/v1/withdrawals', { body })).status).toBe(200);
  const conflict = await call('POST', '/v1/withdrawals', '/v1/withdrawals', { body: { ...body, description: 'other' } });
  expect(conflict.body.error.code).toBe('idempotency_conflict');
  const reused = await call('POST', '/v1/withdrawals', '/v1/withdrawals', { body: { ...body, id: `${body.id}-again` } });
  expect(reused.body.error.code).toBe('invoice_already_used');
  const invalid = await call('POST', '/v1/withdrawals', '/v1/withdrawals', { body: { ...body, provider: 'paypal' } });
  expect(invalid.status).toBe(400);
  const onchain = { id: `${body.id}-onchain`, provider: 'turinpay', address: 'bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080' };
  expect((await call('POST', '/v1/withdrawals', '/v1/withdrawals', { body: onchain })).status).toBe(403);
  await bodyRouteErrors('POST', '/v1/withdrawals', '/v1/withdrawals');

  const done = await statusOf(body.id, 'succeeded');
  expect(done.feeMsat).not.toBeNull();
  expect((await call('GET', '/v1/withdrawals/{id}', '/v1/withdrawals/no-such-id')).status).toBe(404);
  expect((await call('GET', '/v1/withdrawals/{id}', `/v1/withdrawals/${body.id}`, { auth: 'wrong' })).status).toBe(401);
  expect((await call('GET', '/v1/withdrawals/{id}', `/v1/withdrawals/${body.id}`, { auth: 'none' })).status).toBe(401);
}

async function cancelAndResolve(): Promise<void> {
  await p.runtime.queues.submitQueue('aurpay').pause();
  const cancel = withdrawalBody('aurpay').body;
  const review = withdrawalBody('aurpay').body;
  for (const body of [cancel, review]) expect((await call('POST', '/v1/withdrawals', '/v1/withdrawals', { body })).status).toBe(202);

  const cancelPath = '/v1/withdrawals/{id}/cancel';
  expect((await call('POST', cancelPath, `/v1/withdrawals/${cancel.id}/cancel`, { body: { reason: 'x' } })).status).toBe(400);
  const cancelled = await call('POST', cancelPath, `/v1/withdrawals/${cancel.id}/cancel`, { body: { note: 'payee asked to stop' } });
  expect(cancelled.body.status).toBe('cancelled');
  expect((await call('POST', cancelPath, `/v1/withdrawals/${cancel.id}/cancel`)).status).toBe(409);
  expect((await call('POST', cancelPath, '/v1/withdrawals/no-such-id/cancel')).status).toBe(404);
  await bodyRouteErrors('POST', cancelPath, `/v1/withdrawals/${cancel.id}/cancel`);

  // A needs_review record whose payment provably never left, set through the store (as test/integration/operator.test.ts).
  const store = p.runtime.store;
  expect((await store.transition(review.id, { from: 'queued', to: 'submitting', newFence: 'openapi-fence', cause: 'test' })).ok).toBe(true);
  expect((await store.transition(review.id, { from: 'submitting', to: 'unknown', fence: 'openapi-fence', cause: 'test: lost' })).ok).toBe(true);
  expect((await store.transition(review.id, { from: 'unknown', to: 'needs_review', cause: 'test: budget spent' })).ok).toBe(true);
  await p.runtime.queues.submitQueue('aurpay').resume();

  const resolvePath = '/v1/withdrawals/{id}/resolve';
  const ops = 'operator';
  expect((await call('POST', resolvePath, `/v1/withdrawals/${review.id}/resolve`, { body: { outcome: 'failed', note: 'x' } })).status).toBe(403);
  expect((await call('POST', resolvePath, `/v1/withdrawals/${review.id}/resolve`, { body: { outcome: 'failed' }, auth: ops })).status).toBe(400);
  const resolved = await call('POST', resolvePath, `/v1/withdrawals/${review.id}/resolve`, { body: { outcome: 'failed', note: 'never sent' }, auth: ops });
  expect(resolved.status).toBe(200);
  expect(resolved.body.history.at(-1)).toMatchObject({ status: 'failed', actor: 'ops', note: 'never sent' });
  expect((await call('POST', resolvePath, `/v1/withdrawals/${review.id}/resolve`, { body: { outcome: 'failed', note: 'again' }, auth: ops })).status).toBe(409);
  expect((await call('POST', resolvePath, '/v1/withdrawals/no-such-id/resolve', { body: { outcome: 'failed', note: 'x' }, auth: ops })).status).toBe(404);
  await bodyRouteErrors('POST', resolvePath, `/v1/withdrawals/${review.id}/resolve`, ops);

  const approvePath = '/v1/withdrawals/{id}/approve';
  expect((await call('POST', approvePath, `/v1/withdrawals/${review.id}/approve`, { body: {} })).status).toBe(403);
  expect((await call('POST', approvePath, `/v1/withdrawals/${review.id}/approve`, { body: { why: 'x' }, auth: ops })).status).toBe(400);
  expect((await call('POST', approvePath, `/v1/withdrawals/${review.id}/approve`, { body: { note: 'ok' }, auth: ops })).status).toBe(409);
  expect((await call('POST', approvePath, '/v1/withdrawals/no-such-id/approve', { body: {}, auth: ops })).status).toBe(404);
  await bodyRouteErrors('POST', approvePath, `/v1/withdrawals/${review.id}/approve`, ops);
  const large = withdrawalBody('turinpay', 1_000_000_000n).body;
  const heldBack = await call('POST', '/v1/withdrawals', '/v1/withdrawals', { body: large });
  expect(heldBack.body.status).toBe('awaiting_approval');
  const approved = await call('POST', approvePath, `/v1/withdrawals/${large.id}/approve`, { body: { note: 'checked' }, auth: ops });
  expect(approved.status).toBe(200);
  expect(approved.body.status).toBe('queued');
}

async function limitRoutes(): Promise<void> {
  const own = await call('GET', '/v1/limits', '/v1/limits');
  expect(own.body.producer).toBe('tester');
  expect((await call('GET', '/v1/limits', '/v1/limits?producer=tester', { auth: 'operator' })).body.producer).toBe('tester');
  expect((await call('GET', '/v1/limits', '/v1/limits?producer=someone-else')).status).toBe(403);
  expect((await call('GET', '/v1/limits', '/v1/limits?producer=a%20b', { auth: 'operator' })).status).toBe(400);
  expect((await call('GET', '/v1/limits', '/v1/limits', { auth: 'wrong' })).status).toBe(401);
}

async function batchRoutes(): Promise<void> {
  const a = withdrawalBody('turinpay').body;
  const b = withdrawalBody('aurpay').body;
  const c = withdrawalBody('turinpay').body;
  const batchId = `openapi-batch-${Date.now()}`;
  const json = await call('POST', '/v1/batches', '/v1/batches', { body: { id: batchId, items: [a, { id: 'bad item', provider: 'aurpay' }] } });
  expect(json.status).toBe(202);
  expect(json.body).toMatchObject({ batchId, accepted: 1 });
  expect(json.body.rejected).toHaveLength(1);
  const ndjson = await call('POST', '/v1/batches', `/v1/batches?id=${batchId}-nd`, { body: `${JSON.stringify(b)}\n`, type: 'application/x-ndjson' });
  expect(ndjson.body).toMatchObject({ batchId: `${batchId}-nd`, accepted: 1 });
  const csv = `id,provider,invoice,address,amountMsat,description\n${c.id},turinpay,${c.invoice},,,csv item\n`;
  expect((await call('POST', '/v1/batches', `/v1/batches?id=${batchId}-csv`, { body: csv, type: 'text/csv' })).body.accepted).toBe(1);

  expect((await call('POST', '/v1/batches', '/v1/batches', { body: { items: [] } })).status).toBe(400);
  expect((await call('POST', '/v1/batches', '/v1/batches', { body: { items: [a] }, auth: 'wrong' })).status).toBe(401);
  expect((await call('POST', '/v1/batches', '/v1/batches', { body: '<batch/>', type: 'application/xml' })).status).toBe(415);
  expect(verify('POST', '/v1/batches', await oversizedCsv()).status).toBe(413);

  const summary = await eventually(async () => {
    const res = await call('GET', '/v1/batches/{id}', `/v1/batches/${batchId}`);
    return res.body.done ? res.body : undefined;
  }, 20_000, 'the batch to be done');
  expect(summary).toMatchObject({ batchId, total: 1, byStatus: { succeeded: 1 } });
  expect((await call('GET', '/v1/batches/{id}', '/v1/batches/no-such-batch')).status).toBe(404);
  expect((await call('GET', '/v1/batches/{id}', `/v1/batches/${batchId}`, { auth: 'wrong' })).status).toBe(401);
}

async function eventRoutes(): Promise<void> {
  await doneBatch();
  const page = await call('GET', '/v1/events', '/v1/events?limit=1000');
  expect(page.status).toBe(200);
  const types = new Set(page.body.events.map((e: Json) => e.type));
  expect(types).toContain('withdrawal.succeeded');
  expect(types).toContain('batch.done');
  expect((await call('GET', '/v1/events', '/v1/events?after=1-0')).status).toBe(400);
  expect((await call('GET', '/v1/events', '/v1/events?limit=0')).status).toBe(400);
  expect((await call('GET', '/v1/events', '/v1/events', { auth: 'wrong' })).status).toBe(401);
}

async function webhookRoutes(): Promise<void> {
  // Same receiver and secret as the configured endpoint, so every delivery can be verified alike.
  const registration = { url: `${receiverUrl}/api`, events: ['withdrawal.succeeded'], secret: WEBHOOK_SECRET };
  const created = await call('POST', '/v1/webhooks', '/v1/webhooks', { body: registration });
  expect(created.status).toBe(201);
  expect(created.body.secret).toBe(WEBHOOK_SECRET);
  const id: string = created.body.id;
  // Events of `tester` to replay, a withdrawal.succeeded among them.
  await paidWithdrawal();
  expect((await call('POST', '/v1/webhooks', '/v1/webhooks', { body: { url: 'ftp://payouts.example.com/' } })).status).toBe(400);
  await bodyRouteErrors('POST', '/v1/webhooks', '/v1/webhooks');
  // WEBHOOK_MAX_ENDPOINTS=2: the second fits, the third is refused.
  const second = await call('POST', '/v1/webhooks', '/v1/webhooks', { body: { url: 'https://payouts.example.com/second' } });
  expect(second.status).toBe(201);
  const third = await call('POST', '/v1/webhooks', '/v1/webhooks', { body: { url: 'https://payouts.example.com/third' } });
  expect(third.status).toBe(400);
  expect(third.body.error.message).toMatch(/at most 2 webhook endpoints/);
  expect((await call('DELETE', '/v1/webhooks/{id}', `/v1/webhooks/${second.body.id}`)).status).toBe(204);

  const list = await call('GET', '/v1/webhooks', '/v1/webhooks');
  expect(list.body.webhooks.map((w: Json) => w.source)).toEqual(['api']);
  const all = await call('GET', '/v1/webhooks', '/v1/webhooks', { auth: 'operator' });
  expect(all.body.webhooks.map((w: Json) => w.source).sort()).toEqual(['api', 'config']);
  expect((await call('GET', '/v1/webhooks', '/v1/webhooks', { auth: 'wrong' })).status).toBe(401);
  expect((await call('GET', '/v1/webhooks/{id}', `/v1/webhooks/${id}`)).body.id).toBe(id);
  expect((await call('GET', '/v1/webhooks/{id}', '/v1/webhooks/wh_nope')).status).toBe(404);
  expect((await call('GET', '/v1/webhooks/{id}', `/v1/webhooks/${id}`, { auth: 'wrong' })).status).toBe(401);

  const replayPath = '/v1/webhooks/{id}/replay';
  const first = (await call('GET', '/v1/events', '/v1/events?limit=1')).body.events[0];
  expect((await call('POST', replayPath, `/v1/webhooks/${id}/replay`, { body: { eventId: first.id } })).status).toBe(202);
  const range = await call('POST', replayPath, `/v1/webhooks/${id}/replay`, { body: { after: first.id } });
  expect(range.body.replayed).toBeGreaterThanOrEqual(1);
  expect((await call('POST', replayPath, `/v1/webhooks/${id}/replay`, { body: { eventId: 'evt_00000000000010000000000000' } })).status).toBe(404);
  expect((await call('POST', replayPath, '/v1/webhooks/wh_nope/replay', { body: { eventId: first.id } })).status).toBe(404);
  expect((await call('POST', replayPath, `/v1/webhooks/${id}/replay`, { body: { eventId: 'latest' } })).status).toBe(400);
  await bodyRouteErrors('POST', replayPath, `/v1/webhooks/${id}/replay`);

  expect((await call('DELETE', '/v1/webhooks/{id}', `/v1/webhooks/${id}`)).status).toBe(204);
  expect((await call('DELETE', '/v1/webhooks/{id}', `/v1/webhooks/${id}`)).status).toBe(404);
  expect((await call('DELETE', '/v1/webhooks/{id}', '/v1/webhooks/wh_config')).status).toBe(404);
  expect((await call('DELETE', '/v1/webhooks/{id}', '/v1/webhooks/wh_config', { auth: 'operator' })).status).toBe(409);
  expect((await call('DELETE', '/v1/webhooks/{id}', '/v1/webhooks/wh_config', { auth: 'wrong' })).status).toBe(401);
}

async function webhookDeliveries(): Promise<void> {
  const batchId = await doneBatch();
  await eventually(async () => (deliveries.some((d) => d.body.includes('"batch.done"') && d.body.includes(`"${batchId}"`)) ? true : undefined), 20_000, 'its batch.done delivery');
  const verifier = new Webhook(WEBHOOK_SECRET);
  const op: Json = (doc.webhooks as Json).event.post;
  const headerNames = op.parameters.filter((x: Json) => x.in === 'header' && x.required).map((x: Json) => x.name);
  for (const d of deliveries) {
    for (const h of headerNames) expect(d.headers[h], h).not.toBe('');
    verifier.verify(d.body, d.headers);
    assertMatches(['webhooks', 'event', 'post', 'requestBody', 'content', 'application/json', 'schema'], JSON.parse(d.body), 'webhook delivery');
  }
}

async function operationRoutes(): Promise<void> {
  expect((await call('GET', '/healthz', '/healthz')).status).toBe(200);
  expect((await call('GET', '/readyz', '/readyz')).status).toBe(200);
  expect((await call('GET', '/metrics', '/metrics')).text).toContain('withdrawals_in_status');
  expect((await call('GET', '/openapi.json', '/openapi.json')).body.openapi).toBe('3.1.0');
  expect((await call('GET', '/docs', '/docs')).status).toBe(200);
}

async function adminRoutes(): Promise<void> {
  expect((await call('GET', '/admin/queues', '/admin/queues')).status).toBe(200);
  expect((await call('GET', '/admin/queues', '/admin/queues', { auth: 'none' })).status).toBe(401);
  expect((await call('GET', '/admin/withdrawals', '/admin/withdrawals?status=succeeded')).status).toBe(200);
  expect((await call('GET', '/admin/withdrawals', '/admin/withdrawals?limit=0')).status).toBe(400);
  expect((await call('GET', '/admin/withdrawals', '/admin/withdrawals', { auth: 'none' })).status).toBe(401);
  const any = await paidWithdrawal();
  expect((await call('GET', '/admin/withdrawals/{id}', `/admin/withdrawals/${any}`)).status).toBe(200);
  expect((await call('GET', '/admin/withdrawals/{id}', '/admin/withdrawals/no-such-id')).status).toBe(404);
  expect((await call('GET', '/admin/withdrawals/{id}', `/admin/withdrawals/${any}`, { auth: 'none' })).status).toBe(401);
}

async function readyWithoutWorkers(): Promise<void> {
  // A pipeline of its own: this file's keeps its workers for the other scenarios.
  const q = await startPipeline();
  try {
    await q.workers?.close();
    expect((await call('GET', '/readyz', '/readyz', { base: q.baseUrl })).body).toEqual({
      ok: false,
      problems: ['workers not running'],
      error: { code: 'unavailable', message: 'not ready: workers not running', issues: [] },
    });
  } finally {
    await q.close();
  }
}

const SCENARIOS = [withdrawalRoutes, cancelAndResolve, limitRoutes, batchRoutes, eventRoutes, webhookRoutes, webhookDeliveries, operationRoutes, adminRoutes, readyWithoutWorkers];

describe('withdrawals', () => {
  it('POST /v1/withdrawals: 202, 200, 400, 409 (both codes), 401, 413, 415', withdrawalRoutes);
  it('cancel and resolve: 200, 400, 404, 409 and the body errors', cancelAndResolve);
  it('GET /v1/limits: 200, 400, 403, 401', limitRoutes);
});

describe('batches', () => {
  it('POST /v1/batches as JSON, NDJSON and CSV: 202; 400, 401, 413, 415', batchRoutes);
});

describe('events and webhooks', () => {
  it('GET /v1/events: 200 with withdrawal and batch.done events; 400; 401', eventRoutes);
  it('the webhook routes: 201, 200, 202, 204; 400 (body, limit), 404, 409; body errors', webhookRoutes);
  it('deliveries match the documented webhook and verify with a Standard Webhooks library', webhookDeliveries);
});

describe('operations and admin', () => {
  it('health, readiness, metrics, the document and its page', operationRoutes);
  it('the admin pages: 200, 400, 404 and 401', adminRoutes);
  it('GET /readyz answers 503 once the workers stopped', readyWithoutWorkers);
});

describe('coverage', () => {
  it('every documented status of every route is produced by the scenarios (except the ones no test can cause here)', async () => {
    seen.clear();
    for (const scenario of SCENARIOS) await scenario();
    const missing: string[] = [];
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(item)) {
        for (const status of Object.keys(op.responses as Json)) {
          const key = `${method.toUpperCase()} ${path} ${status}`;
          if (!seen.has(key) && !NOT_PRODUCED[status]) missing.push(key);
        }
      }
    }
    expect(missing).toEqual([]);
  }, 120_000);
});
