/**
 * The route walk of test/integration/openapi-routes.test.ts: one pipeline, the OpenAPI document it
 * serves, and `call`, which sends a request and fails unless the document describes the answer (its
 * status for that operation, and its body against the documented schema), recording every status
 * seen for the coverage test.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsPlugin from 'ajv-formats';
import { expect } from 'vitest';
import { BATCH_BODY_LIMIT } from '../../../src/api/batch-routes.ts';
import type { OpenApiDocument } from '../../../src/api/openapi/index.ts';
import { withdrawalBody } from '../../support/invoices.ts';
import { eventually, OPERATOR_TOKEN, startPipeline, TEST_TOKEN, type Pipeline } from '../../support/pipeline.ts';

export type Json = Record<string, any>;
export type Auth = 'bearer' | 'operator' | 'basic' | 'wrong' | 'none';

export interface Answer {
  status: number;
  contentType: string;
  text: string;
  body: any;
}

export const WEBHOOK_SECRET = `whsec_${randomBytes(32).toString('base64')}`;
const BASIC = `Basic ${Buffer.from('ops:dashboard-secret-1').toString('base64')}`;

const started: { p?: Pipeline; doc?: OpenApiDocument; ajv?: Ajv2020 } = {};
function need<T>(value: T | undefined): T {
  if (value === undefined) throw new Error('the route walk is not started: call startWalk() in beforeAll');
  return value;
}

/** What the walk runs against, once startWalk() has run. */
export const h = {
  get p(): Pipeline {
    return need(started.p);
  },
  get doc(): OpenApiDocument {
    return need(started.doc);
  },
  get ajv(): Ajv2020 {
    return need(started.ajv);
  },
  /** `METHOD /template status` of every answer the walk received. */
  seen: new Set<string>(),
  deliveries: [] as { headers: Record<string, string>; body: string }[],
  receiverUrl: '',
};
let receiver: Server | undefined;

/** A webhook receiver on loopback, and the pipeline (WEBHOOK_URL pointing at the receiver). */
export async function startWalk(): Promise<void> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const headers: Record<string, string> = {};
      for (const name of ['webhook-id', 'webhook-timestamp', 'webhook-signature']) headers[name] = String(req.headers[name] ?? '');
      h.deliveries.push({ headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(204).end();
    });
  });
  receiver = server;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  h.receiverUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  const p = await startPipeline({
    env: {
      DASHBOARD_USER: 'ops',
      DASHBOARD_PASSWORD: 'dashboard-secret-1',
      WEBHOOK_URL: h.receiverUrl,
      WEBHOOK_SECRET,
      // The receiver listens on loopback, which the URL policy refuses unless allowed.
      WEBHOOK_ALLOW_PRIVATE: 'true',
      WEBHOOK_MAX_ENDPOINTS: '2',
      RECONCILE_GRACE_MS: '0',
      // Withdrawals of 1,000,000 sat or more wait for an operator's approval; the others go straight on.
      APPROVAL_THRESHOLD_MSAT: '1000000000',
    },
  });
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormatsPlugin.default(ajv);
  ajv.addSchema(JSON.parse(JSON.stringify(p.api.openapi.document)), 'doc');
  Object.assign(started, { p, doc: p.api.openapi.document, ajv });
}

export async function stopWalk(): Promise<void> {
  await started.p?.close();
  const server = receiver;
  if (server) await new Promise((resolve) => server.close(resolve));
}

export function pointer(path: readonly string[]): string {
  return `doc#/${path.map((s) => encodeURIComponent(s.replace(/~/g, '~0').replace(/\//g, '~1'))).join('/')}`;
}

export function assertMatches(path: readonly string[], value: unknown, what: string): void {
  const validate = h.ajv.getSchema(pointer(path));
  if (!validate) throw new Error(`no schema at ${path.join(' ')}`);
  expect(validate(value), `${what}: ${h.ajv.errorsText(validate.errors)}\n${JSON.stringify(value).slice(0, 2000)}`).toBe(true);
}

/** Fails unless the document describes this answer of `method template`; returns the parsed body. */
export function verify(method: string, template: string, answer: Answer): Answer {
  const op: Json | undefined = h.doc.paths[template]?.[method.toLowerCase()];
  expect(op, `${method} ${template} is not in the document`).toBeDefined();
  const status = String(answer.status);
  const documented: Json | undefined = op?.responses[status];
  expect(documented, `${method} ${template} answered ${status}, which the document does not describe: ${answer.text.slice(0, 300)}`).toBeDefined();
  h.seen.add(`${method} ${template} ${status}`);
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

export function authHeader(auth: Auth): Record<string, string> {
  if (auth === 'bearer') return { authorization: `Bearer ${TEST_TOKEN}` };
  if (auth === 'operator') return { authorization: `Bearer ${OPERATOR_TOKEN}` };
  if (auth === 'basic') return { authorization: BASIC };
  if (auth === 'wrong') return { authorization: 'Bearer wrong-token-000' };
  return {};
}

/** `method url` on this file's pipeline (or the one at `opts.base`), verified against the document. */
export async function call(method: string, template: string, url: string, opts: { body?: unknown; type?: string; auth?: Auth; base?: string } = {}): Promise<Answer> {
  const auth = opts.auth ?? (template.startsWith('/v1/') ? 'bearer' : template.startsWith('/admin/') ? 'basic' : 'none');
  const raw = opts.body === undefined || typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
  const headers: Record<string, string> = { ...authHeader(auth), ...(raw === undefined ? {} : { 'content-type': opts.type ?? 'application/json' }) };
  const res = await fetch(`${opts.base ?? h.p.baseUrl}${url}`, { method, headers, body: raw });
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
export async function bodyRouteErrors(method: string, template: string, url: string, auth: Auth = 'bearer'): Promise<void> {
  expect((await call(method, template, url, { body: {}, auth: 'wrong' })).status).toBe(401);
  expect((await call(method, template, url, { body: { note: 'x'.repeat(70 * 1024) }, auth })).status).toBe(413);
  expect((await call(method, template, url, { body: '<note/>', type: 'application/xml', auth })).status).toBe(415);
  expect((await call(method, template, url, { body: '{"note":', auth })).status).toBe(400);
}

/** A streamed CSV whose Content-Length is over the batch limit: refused before it is read. */
export function oversizedCsv(): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${h.p.baseUrl}/v1/batches`,
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

export async function statusOf(id: string, wanted: string): Promise<Json> {
  return eventually(async () => {
    const rec = (await call('GET', '/v1/withdrawals/{id}', `/v1/withdrawals/${id}`)).body;
    return rec.status === wanted ? rec : undefined;
  }, 20_000, `${id} to be ${wanted}`);
}

/** A withdrawal of `tester` (the bearer token's producer), once it has succeeded: its id. */
export async function paidWithdrawal(): Promise<string> {
  const { body } = withdrawalBody('turinpay');
  expect((await call('POST', '/v1/withdrawals', '/v1/withdrawals', { body })).status).toBe(202);
  await statusOf(body.id, 'succeeded');
  return body.id;
}

/** A batch of one withdrawal of `tester`, once it is done (its batch.done event written): its id. */
export async function doneBatch(): Promise<string> {
  const batchId = `openapi-done-${randomUUID().slice(0, 8)}`;
  expect((await call('POST', '/v1/batches', '/v1/batches', { body: { id: batchId, items: [withdrawalBody('aurpay').body] } })).status).toBe(202);
  await eventually(async () => ((await call('GET', '/v1/batches/{id}', `/v1/batches/${batchId}`)).body.done ? true : undefined), 20_000, `${batchId} to be done`);
  return batchId;
}
