/**
 * Random requests on every route of the OpenAPI document, and on random paths: hostile path
 * parameters, methods, headers, content types and bodies, with no token, the producer's, the
 * operator's. Whatever comes in, the process keeps serving, nothing answers a 5xx but 503
 * `unavailable`, every 4xx of /v1, /healthz and /readyz carries the error body, and nothing is
 * logged as an unexpected error. fast-check prints the seed and the shrunk request of a failure.
 */
import { Agent, request } from 'node:http';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../src/withdrawals/errors.ts';
import { withdrawalBody } from '../support/invoices.ts';
import { OPERATOR_TOKEN, startPipeline, TEST_TOKEN, type Pipeline } from '../support/pipeline.ts';

interface Req {
  method: string;
  path: string;
  auth: 'none' | 'producer' | 'operator' | 'wrong' | 'basic';
  contentType: string | null;
  headers: Record<string, string>;
  body: string | null;
}

interface Answer {
  status: number;
  text: string;
  /** Set when the connection broke before an answer arrived. */
  error?: string;
}

const BASIC = `Basic ${Buffer.from('ops:dashboard-secret-1').toString('base64')}`;
let p: Pipeline;
let templates: Array<{ path: string; methods: string[] }> = [];
// A connection per request: a reused keep-alive socket the server is closing would look like a broken answer.
const agent = new Agent({ keepAlive: false });
/** What one property's run got back: counted by check(), looked at by fuzz(). */
let stats = { requests: 0, byStatus: new Map<number, number>(), broken: 0 };

beforeAll(async () => {
  p = await startPipeline({
    workers: false,
    env: { DASHBOARD_USER: 'ops', DASHBOARD_PASSWORD: 'dashboard-secret-1', WEBHOOK_ALLOW_PRIVATE: 'true', REQUEST_TIMEOUT_MS: '10000', LOG_LEVEL: 'warn',
      // Budgets low enough that some requests meet them (429 must carry the error body too), high enough that most reach the routes.
      API_RATE_LIMIT_PER_S: '20', API_MAX_CONCURRENT_PER_TOKEN: '8', API_AUTH_FAILURES_PER_MIN: '1000' },
  });
  const res = await fetch(`${p.baseUrl}/openapi.json`);
  expect(res.status).toBe(200);
  const doc = (await res.json()) as { paths: Record<string, Record<string, unknown>> };
  templates = Object.entries(doc.paths).map(([path, item]) => ({ path, methods: Object.keys(item).map((m) => m.toUpperCase()) }));
  expect(templates.length).toBeGreaterThan(10);
});
afterAll(async () => {
  agent.destroy();
  await p?.close();
});

/** As a client puts it on the wire: printable ASCII as is (`%` too, so broken escapes go out broken), the rest percent-encoded. */
function wire(s: string): string {
  let out = '';
  for (const ch of s) {
    const code = ch.codePointAt(0) ?? 0;
    if (code > 0x20 && code < 0x7f) out += ch;
    else {
      try {
        out += encodeURIComponent(ch);
      } catch {
        out += '%ED%A0%80';
      }
    }
  }
  return out;
}

function send(req: Req): Promise<Answer> {
  const headers: Record<string, string> = { ...req.headers };
  if (req.contentType !== null) headers['content-type'] = req.contentType;
  if (req.auth === 'producer') headers.authorization = `Bearer ${TEST_TOKEN}`;
  if (req.auth === 'operator') headers.authorization = `Bearer ${OPERATOR_TOKEN}`;
  if (req.auth === 'wrong') headers.authorization = 'Bearer not-a-token-0000';
  if (req.auth === 'basic') headers.authorization = BASIC;
  const port = Number(new URL(p.baseUrl).port);
  return new Promise((resolve) => {
    const r = request({ host: '127.0.0.1', port, method: req.method, path: req.path, headers, agent, timeout: 15_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', (err) => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8'), error: err.message }));
    });
    r.on('timeout', () => r.destroy(new Error('no answer within 15 s')));
    r.on('error', (err) => resolve({ status: 0, text: '', error: err.message }));
    r.end(req.body ?? undefined);
  });
}

const ERROR_BODY_PREFIXES = ['/v1/', '/v1?', '/healthz', '/readyz'];

/** The properties every answer must have, whatever was asked. */
async function check(req: Req): Promise<void> {
  const a = await send(req);
  stats.requests++;
  stats.byStatus.set(a.status, (stats.byStatus.get(a.status) ?? 0) + 1);
  const what = `${req.method} ${req.path.slice(0, 200)} (${req.auth}, ${req.contentType}) → ${a.status} ${a.text.slice(0, 300)}`;
  if (a.error !== undefined) {
    // The server may close a connection it refused (an unknown method, a body past the limit) while
    // the body is still being written: only a hang is a failure here.
    stats.broken++;
    expect(a.error, what).not.toMatch(/no answer within/);
    return;
  }
  let body: unknown;
  try {
    body = JSON.parse(a.text);
  } catch {
    body = undefined;
  }
  const error = body !== null && typeof body === 'object' && 'error' in body ? (body.error as { code?: unknown; message?: unknown }) : undefined;
  if (a.status >= 500) {
    expect(a.status, what).toBe(503);
    // A HEAD answer has no body to look at.
    if (req.method !== 'HEAD') expect(error?.code, what).toBe('unavailable');
  }
  const needsBody = ERROR_BODY_PREFIXES.some((prefix) => req.path === prefix.replace(/[/?]$/, '') || req.path.startsWith(prefix));
  if (a.status >= 400 && req.method !== 'HEAD' && needsBody) {
    expect(ERROR_CODES as readonly unknown[], what).toContain(error?.code);
    expect(typeof error?.message, what).toBe('string');
    expect(a.text, what).not.toMatch(/FST_ERR|"statusCode":/);
  }
}

// --- what goes into a request -------------------------------------------------------------------

const PROTOTYPE_NAMES = ['__proto__', 'constructor', 'hasOwnProperty', 'toString', 'valueOf', 'prototype', 'isPrototypeOf', '__defineGetter__'];
const param: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...PROTOTYPE_NAMES),
  fc.constantFrom('..', '../..', '../../package.json', '..%2F..%2Fpackage.json', '%2e%2e', '.', '~', '*', ':id', '{id}'),
  fc.constantFrom('%', '%zz', '%00', '%0', '%E0%A4%A', '%C0%AF', '%FF', '%25', 'a%20b', '%ED%A0%80'),
  fc.stringMatching(/^[A-Za-z0-9._:-]{1,128}$/),
  fc.integer({ min: 100, max: 2000 }).map((n) => 'x'.repeat(n)),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 20 }),
  fc.constantFrom('wh_nope', 'evt_00000000000000000000000000', 'batch_00000000-0000-0000-0000-000000000000'),
);
const query: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constant('') },
  fc.tuple(fc.constantFrom('after', 'limit', 'id', 'status', 'provider', 'batchId', 'cursor', 'producer', '__proto__', 'constructor'), fc.oneof(param, fc.integer().map(String))).map(([k, v]) => `?${k}=${v}`),
  fc.string({ maxLength: 60 }).map((s) => `?${s}`),
  fc.constantFrom('?limit=0', '?limit=100000', '?limit=-1', '?after=1-0', '?after=%', '?a[b]=1&a[c]=2', '?__proto__[x]=1', '?&&&=&=', '?cursor=aTo', '?cursor=%00', '?status=queued&status=failed', '?batchId=&cursor='),
);
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'FOO', 'PROPFIND', 'SEARCH', 'PURGE'];
const contentType: fc.Arbitrary<string | null> = fc.constantFrom(
  null,
  'application/json',
  'application/json; charset=utf-8',
  'application/x-ndjson',
  'application/jsonl',
  'text/csv',
  'text/plain',
  'application/xml',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'garbage',
  ';;;',
  'application/json; charset=latin1',
  '',
);
const extraHeaders: fc.Arbitrary<Record<string, string>> = fc
  .tuple(
    fc.dictionary(
      fc.constantFrom('accept', 'accept-encoding', 'accept-version', 'x-forwarded-for', 'origin', 'sec-fetch-site', 'if-none-match', 'range', 'cookie', 'x-request-id'),
      fc.oneof(fc.constantFrom('*/*', 'gzip, br', '1.x', '999.0.0', 'cross-site', 'bytes=0-1', 'null', 'x=y'), fc.stringMatching(/^[\x20-\x7e]{0,40}$/)),
      { maxKeys: 3 },
    ),
    // Node answers an Expect other than 100-continue itself: now and then, not on every other request.
    fc.oneof({ weight: 19, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.constantFrom('the-unexpected', '200-ok') }),
  )
  .map(([headers, expect]) => (expect === null ? headers : { ...headers, expect }));

/** JSON nested `levels` deep, written without recursion. */
function deepJson(levels: number, kind: 'array' | 'object'): string {
  return kind === 'array' ? `${'['.repeat(levels)}${']'.repeat(levels)}` : `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;
}

const withdrawalLike: fc.Arbitrary<Record<string, unknown>> = fc.record(
  {
    id: fc.oneof(fc.stringMatching(/^[A-Za-z0-9._:-]{1,128}$/), fc.constantFrom(...PROTOTYPE_NAMES), fc.string(), fc.integer()),
    provider: fc.oneof(fc.constantFrom('aurpay', 'turinpay', 'auto', 'paypal', '__proto__'), fc.integer()),
    invoice: fc.oneof(fc.string({ maxLength: 200 }), fc.constantFrom('lnbcrt1', 'lnbc1pvjluezpp5', 'x'.repeat(8000)), fc.constant(null)),
    address: fc.oneof(fc.string({ maxLength: 100 }), fc.constant('bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080')),
    lightningAddress: fc.oneof(
      fc.string({ maxLength: 100 }),
      fc.tuple(fc.string({ maxLength: 70 }), fc.string({ maxLength: 70 })).map(([name, host]) => `${name}@${host}`),
      fc.constantFrom(
        'alice@wallet.example.com',
        'alice@127.0.0.1',
        'alice@[::1]:8080',
        'alice@2130706433',
        'alice@localhost',
        'alice@abc.onion',
        'lnurl1dp68gurn8ghj7um9wfmxjcm99e3k7mf0v9cxj0m385ekvcenxc6r2c35xvukxefcv5mkvv34x5ekzd3ev56nyd3hxqurzepexejxxepnxscrvwfnv9nxzcn9xq6xyefhvgcxxcmyxymnserxfq5fns',
        'x'.repeat(3000),
      ),
    ),
    amountMsat: fc.oneof(fc.bigInt({ min: 0n, max: 10n ** 32n }).map(String), fc.string({ maxLength: 40 }), fc.integer(), fc.constant('2100000000000000001')),
    description: fc.oneof(fc.string({ maxLength: 100 }), fc.integer()),
    metadata: fc.oneof(fc.jsonValue({ maxDepth: 8 }), fc.dictionary(fc.constantFrom(...PROTOTYPE_NAMES, 'a', 'b'), fc.jsonValue({ maxDepth: 3 }))),
  },
  { requiredKeys: [] },
);

/** A request with a valid invoice whose other fields are mutated: reaches the deeper checks and the store. */
const nearlyValid: fc.Arbitrary<string> = fc
  .record({ over: withdrawalLike, keep: fc.subarray(['id', 'provider', 'amountMsat', 'description', 'metadata']) })
  .map(({ over, keep }) => {
    const base: Record<string, unknown> = withdrawalBody('aurpay', 5000n).body;
    for (const k of keep) if (k in over) base[k] = over[k];
    return JSON.stringify(base);
  });

/** A Lightning Address withdrawal whose other fields are mutated: reaches the address checks and the store. */
const nearlyValidAddress: fc.Arbitrary<string> = fc
  .record({ over: withdrawalLike, keep: fc.subarray(['id', 'provider', 'lightningAddress', 'amountMsat', 'description', 'metadata']) })
  .map(({ over, keep }) => {
    const base: Record<string, unknown> = { id: 'la-fuzz', provider: 'auto', lightningAddress: 'alice@wallet.example.com', amountMsat: '21000' };
    for (const k of keep) if (k in over) base[k] = over[k];
    return JSON.stringify(base);
  });

/** What once stopped the process or answered 500: deep nesting beside a valid invoice, alone or in a batch. */
const hostileBody: fc.Arbitrary<string> = fc
  .record({
    levels: fc.constantFrom(6, 100, 5_000, 20_000, 30_000),
    kind: fc.constantFrom('array' as const, 'object' as const),
    batch: fc.boolean(),
    extra: fc.array(fc.oneof(nearlyValid, withdrawalLike.map((w) => JSON.stringify(w))), { maxLength: 2 }),
  })
  .map(({ levels, kind, batch, extra }) => {
    const item = JSON.stringify(withdrawalBody('aurpay', 5000n, { metadata: { m: 0 } }).body).replace('{"m":0}', `{"m":${deepJson(levels, kind)}}`);
    return batch ? `{"items":[${[item, ...extra].join(',')}]}` : item;
  });

const body: fc.Arbitrary<string | null> = fc.oneof(
  { weight: 2, arbitrary: fc.constant(null) },
  fc.tuple(fc.constantFrom(10, 1000, 10_000, 20_000, 30_000, 50_000), fc.constantFrom('array' as const, 'object' as const)).map(([n, kind]) => deepJson(n, kind)),
  // Deep metadata beside a valid invoice, so that every check passes and the body is hashed and stored.
  fc.constantFrom(10, 1000, 10_000, 20_000).map((n) => JSON.stringify(withdrawalBody('aurpay', 5000n, { metadata: { m: 0 } }).body).replace('{"m":0}', `{"m":${deepJson(n, 'array')}}`)),
  fc
    .constantFrom(10, 1000, 20_000)
    .map((n) => `{"items":[${JSON.stringify(withdrawalBody('turinpay', 5000n, { metadata: { m: 0 } }).body).replace('{"m":0}', `{"m":${deepJson(n, 'object')}}`)}]}`),
  fc.integer({ min: 1000, max: 200_000 }).map((n) => JSON.stringify({ id: 'huge', provider: 'aurpay', description: 'x'.repeat(n) })),
  fc.jsonValue().map((v) => JSON.stringify(v)),
  withdrawalLike.map((w) => JSON.stringify(w)),
  fc.array(withdrawalLike, { maxLength: 5 }).map((items) => JSON.stringify({ items })),
  fc.array(withdrawalLike, { maxLength: 5 }).map((items) => items.map((i) => JSON.stringify(i)).join('\n')),
  fc.array(fc.array(fc.string({ maxLength: 30 }), { maxLength: 7 }), { maxLength: 5 }).map((rows) => ['id,provider,invoice,address,amountMsat,description', ...rows.map((r) => r.join(','))].join('\n')),
  nearlyValid,
  nearlyValidAddress,
  fc.array(fc.array(fc.string({ maxLength: 30 }), { maxLength: 7 }), { maxLength: 5 }).map((rows) => ['id,provider,lightningAddress,amountMsat', ...rows.map((r) => r.join(','))].join('\n')),
  fc.constantFrom('{"__proto__":{"admin":true}}', '{"constructor":{"prototype":{"admin":true}}}', '{"items":[{"__proto__":{}}]}', '{"outcome":"resubmit","note":"x"}', '{"eventId":"evt_1"}', '{"url":"http://127.0.0.1:1/x"}', '{', 'null', '[]', '""', '\u0000\u0001\u0002'),
  fc.string({ unit: 'binary', maxLength: 300 }),
);
const auth = fc.constantFrom<Req['auth']>('none', 'producer', 'operator', 'operator', 'producer', 'wrong', 'basic');

function fill(template: string, params: string[]): string {
  let i = 0;
  return template.replace(/\{[^}]+\}/g, () => wire(params[i++ % params.length] ?? ''));
}

/** Content type and body that agree (JSON as JSON...), so that requests get past the parsers to the routes. */
const coherentBody: fc.Arbitrary<{ contentType: string | null; body: string | null }> = fc.oneof(
  fc.constant({ contentType: null, body: null }),
  fc.oneof({ weight: 3, arbitrary: nearlyValid }, withdrawalLike.map((w) => JSON.stringify(w)), body.filter((b) => b !== null)).map((b) => ({ contentType: 'application/json', body: b })),
  fc.array(fc.oneof(nearlyValid, withdrawalLike.map((w) => JSON.stringify(w))), { minLength: 1, maxLength: 4 }).map((items) => ({ contentType: 'application/json', body: `{"items":[${items.join(',')}]}` })),
  fc.array(fc.oneof(nearlyValid, withdrawalLike.map((w) => JSON.stringify(w))), { minLength: 1, maxLength: 4 }).map((lines) => ({ contentType: 'application/x-ndjson', body: lines.join('\n') })),
  fc.constantFrom('{"note":"fuzz"}', '{"outcome":"failed","note":"fuzz"}', '{"url":"http://127.0.0.1:9/hook"}', '{"after":"0-0"}').map((b) => ({ contentType: 'application/json', body: b })),
);
const chaoticBody = fc.record({ contentType, body });

/** A documented route, its params random; mostly its documented method and a body it reads. */
const routeRequest: fc.Arbitrary<Req> = fc
  .record({
    route: fc.integer({ min: 0, max: 1000 }),
    params: fc.array(param, { minLength: 1, maxLength: 2 }),
    query,
    method: fc.oneof({ weight: 3, arbitrary: fc.constant('documented') }, fc.constantFrom(...METHODS)),
    auth,
    headers: extraHeaders,
    payload: fc.oneof({ weight: 3, arbitrary: coherentBody }, { weight: 2, arbitrary: chaoticBody }),
  })
  .map(({ route, params, query: q, method, payload, ...rest }) => {
    const t = templates[route % templates.length] ?? { path: '/healthz', methods: ['GET'] };
    const m = method === 'documented' ? (t.methods[route % t.methods.length] ?? 'GET') : method;
    return { ...rest, ...payload, method: m, path: `${fill(t.path, params)}${wire(q)}` };
  });

/** Hostile bodies where they are read: the routes that take a body, with a token that gets past the auth hook. */
const bodyRequest: fc.Arbitrary<Req> = fc
  .record({
    route: fc.integer({ min: 0, max: 1000 }),
    params: fc.array(fc.oneof(param, fc.constant('fuzz-id')), { minLength: 1, maxLength: 2 }),
    auth: fc.constantFrom<Req['auth']>('producer', 'operator'),
    contentType: fc.constantFrom('application/json', 'application/x-ndjson', 'text/csv'),
    body: fc.oneof({ weight: 3, arbitrary: hostileBody }, body.filter((b) => b !== null)),
  })
  .map(({ route, params, ...rest }) => {
    const writes = templates.filter((t) => t.methods.includes('POST'));
    const t = writes[route % writes.length] ?? { path: '/v1/withdrawals', methods: ['POST'] };
    return { ...rest, method: 'POST', headers: {}, path: fill(t.path, params) };
  });

const randomPathRequest: fc.Arbitrary<Req> = fc
  .record({
    segments: fc.array(fc.oneof(param, fc.constantFrom('v1', 'withdrawals', 'batches', 'webhooks', 'events', 'admin', 'queues', 'api', 'docs', '')), { minLength: 1, maxLength: 6 }),
    query,
    method: fc.constantFrom(...METHODS),
    auth,
    contentType,
    headers: extraHeaders,
    body,
  })
  .map(({ segments, query: q, ...rest }) => ({ ...rest, path: `/${segments.map(wire).join('/')}${wire(q)}` }));

const assetRequest: fc.Arbitrary<Req> = fc
  .record({ name: fc.oneof(param, fc.string({ maxLength: 30 })), method: fc.constantFrom('GET', 'HEAD', 'POST'), auth })
  .map(({ name, method, auth: a }) => ({ method, path: `/docs/assets/${wire(name)}`, auth: a, contentType: null, headers: {}, body: null }));

/** A few hundred runs in all; on a slow machine each property stops at its share of about 50 s (what ran must pass). */
const runs = (n: number, seconds: number) => ({ numRuns: n, interruptAfterTimeLimit: seconds * 1000, markInterruptAsFailure: false });

/**
 * Checks every answer to requests drawn from `arbitrary`, then that the process still serves and
 * logged no unexpected error meanwhile. Returns what the run got back.
 */
async function fuzz(arbitrary: fc.Arbitrary<Req>, numRuns: number, seconds: number): Promise<typeof stats> {
  stats = { requests: 0, byStatus: new Map(), broken: 0 };
  const logged = p.logLines.length;
  await fc.assert(fc.asyncProperty(arbitrary, check), runs(numRuns, seconds));
  expect((await fetch(`${p.baseUrl}/healthz`)).status).toBe(200);
  const unexpected = p.logLines.slice(logged).filter((line) => line.includes('unexpected error'));
  expect(unexpected.map((l) => l.slice(0, 500))).toEqual([]);
  expect(stats.requests).toBeGreaterThan(0);
  return stats;
}

describe('fuzzing the HTTP API (each run followed by a served /healthz and no unexpected error logged)', () => {
  it('every documented route, with random params, methods, headers, content types and bodies', async () => {
    const run = await fuzz(routeRequest, 400, 25);
    // The run reached the routes, not only the router's refusals.
    expect(run.requests).toBeGreaterThan(50);
    expect([...run.byStatus.keys()].filter((s) => s >= 200 && s < 300).length).toBeGreaterThan(0);
  }, 60_000);

  it('bursts past API_RATE_LIMIT_PER_S: 429 rate_limited with the error body and Retry-After, the process still serving', async () => {
    const burst = await Promise.all(
      Array.from({ length: 40 }, () => fetch(`${p.baseUrl}/v1/withdrawals/fuzz-burst`, { headers: { authorization: `Bearer ${TEST_TOKEN}` } })),
    );
    const limited = burst.filter((r) => r.status === 429);
    expect(limited.length).toBeGreaterThan(0);
    for (const r of limited) {
      expect(r.headers.get('retry-after')).toMatch(/^[1-9][0-9]*$/);
      expect(((await r.json()) as { error: { code: string } }).error.code).toBe('rate_limited');
    }
    expect((await fetch(`${p.baseUrl}/healthz`)).status).toBe(200);
  });

  it('hostile bodies on every route that reads one', async () => {
    await fuzz(bodyRequest, 120, 12);
  });

  it('random paths', async () => {
    await fuzz(randomPathRequest, 100, 8);
  });

  it('random Swagger UI assets', async () => {
    await fuzz(assetRequest, 60, 5);
  });
});
