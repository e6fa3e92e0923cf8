/**
 * Requests that once stopped the process or answered outside the contract, each with its exact
 * input: the process must keep serving, every error must carry `{ error: { code, message } }` with a
 * code of the contract, and nothing may answer a 5xx but 503 `unavailable`.
 */
import { randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApi } from '../../src/api/server.ts';
import { ERROR_CODES } from '../../src/withdrawals/errors.ts';
import { payeeInvoice } from '../../src/demo/payee.ts';
import { withdrawalBody } from '../support/invoices.ts';
import { OPERATOR_TOKEN, startPipeline, TEST_TOKEN, type Pipeline } from '../support/pipeline.ts';

const REQUEST_TIMEOUT_MS = 2000;
let p: Pipeline;
beforeAll(async () => {
  p = await startPipeline({ workers: false, env: { REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS), VALIDATION_THREADS: '1' } });
});
afterAll(async () => p?.close());

interface Raw {
  status: number;
  text: string;
  body: any;
}

async function send(method: string, path: string, opts: { body?: string; type?: string; token?: string; headers?: Record<string, string> } = {}): Promise<Raw> {
  const headers: Record<string, string> = { ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}), ...(opts.type ? { 'content-type': opts.type } : {}), ...opts.headers };
  const res = await fetch(`${p.baseUrl}${path}`, { method, headers, body: opts.body });
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  return { status: res.status, text, body };
}

/** Raw bytes on a fresh connection: for what fetch will not send. Resolves with everything the server wrote before closing. */
function rawExchange(bytes: string, timeoutMs = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(Number(new URL(p.baseUrl).port), '127.0.0.1');
    let got = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no close within ${timeoutMs} ms; got ${JSON.stringify(got)}`));
    }, timeoutMs);
    socket.on('data', (c: Buffer) => (got += c.toString('utf8')));
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(got);
    });
    socket.on('error', () => undefined);
    socket.write(bytes);
  });
}

function expectError(r: Raw, status: number, code: string): void {
  expect(r.status, r.text.slice(0, 300)).toBe(status);
  expect(r.body?.error?.code, r.text.slice(0, 300)).toBe(code);
  expect(typeof r.body.error.message).toBe('string');
  expect(ERROR_CODES).toContain(r.body.error.code);
  // Never the framework's own body.
  expect(r.text).not.toMatch(/FST_ERR|"statusCode"|"error":"(Bad Request|Not Found|Internal Server Error)"/);
}

async function stillServing(): Promise<void> {
  expect((await send('GET', '/healthz')).status).toBe(200);
}

function nestedArrays(levels: number): string {
  return `${'['.repeat(levels)}${']'.repeat(levels)}`;
}

describe('Swagger UI assets', () => {
  it.each(['hasOwnProperty', 'constructor', '__proto__', 'toString', 'valueOf', 'isPrototypeOf', 'nope.js', '..%2Fpackage.json'])(
    'GET /docs/assets/%s, no token: 404 not_found, and the process keeps serving',
    async (name) => {
      expectError(await send('GET', `/docs/assets/${name}`), 404, 'not_found');
      await stillServing();
    },
  );

  it('still serves the real assets', async () => {
    const css = await fetch(`${p.baseUrl}/docs/assets/swagger-ui.css`);
    expect(css.status).toBe(200);
    expect(css.headers.get('content-type')).toMatch(/^text\/css/);
    expect((await css.arrayBuffer()).byteLength).toBeGreaterThan(1000);
  });
});

describe('deeply nested bodies', () => {
  const deep = nestedArrays(20_000);

  it('POST /v1/withdrawals with metadata nesting 20,000 arrays: 400 invalid_request naming metadata', async () => {
    const { body } = withdrawalBody('turinpay');
    const json = JSON.stringify({ ...body, metadata: { x: 1 } }).replace('{"x":1}', `{"deep":${deep}}`);
    const r = await send('POST', '/v1/withdrawals', { body: json, type: 'application/json', token: TEST_TOKEN });
    expectError(r, 400, 'invalid_request');
    expect(r.body.error.issues.map((i: { path: string }) => i.path)).toEqual(['metadata']);
    expect((await send('GET', `/v1/withdrawals/${body.id}`, { token: TEST_TOKEN })).status).toBe(404);
    await stillServing();
  });

  it('a batch item with such metadata is rejected alone, the others accepted (JSON and NDJSON)', async () => {
    const good = withdrawalBody('turinpay').body;
    const bad = withdrawalBody('turinpay').body;
    const badJson = JSON.stringify({ ...bad, metadata: { x: 1 } }).replace('{"x":1}', `{"deep":${deep}}`);
    const json = `{"items":[${badJson},${JSON.stringify(good)}]}`;
    const r = await send('POST', '/v1/batches', { body: json, type: 'application/json', token: TEST_TOKEN });
    expect(r.status, r.text.slice(0, 300)).toBe(202);
    expect(r.body.accepted).toBe(1);
    expect(r.body.rejected).toEqual([{ index: 0, id: bad.id, error: expect.objectContaining({ code: 'invalid_request' }) }]);

    const good2 = withdrawalBody('aurpay').body;
    const bad2 = withdrawalBody('aurpay').body;
    const ndjson = `${JSON.stringify(good2)}\n${JSON.stringify({ ...bad2, metadata: { x: 1 } }).replace('{"x":1}', `{"deep":${deep}}`)}\n`;
    const nd = await send('POST', '/v1/batches', { body: ndjson, type: 'application/x-ndjson', token: TEST_TOKEN });
    expect(nd.status, nd.text.slice(0, 300)).toBe(202);
    expect(nd.body.accepted).toBe(1);
    expect(nd.body.rejected).toMatchObject([{ index: 1, id: bad2.id, error: { code: 'invalid_request' } }]);
    await stillServing();
  });

  it('metadata over 8 KiB or 6 levels deep, and amounts over 21 million BTC, are 400 invalid_request', async () => {
    const cases: Array<[string, Record<string, unknown>]> = [
      ['metadata', { metadata: { big: 'x'.repeat(9000) } }],
      ['metadata', { metadata: { a: { b: { c: { d: { e: { f: 1 } } } } } } }],
      ['amountMsat', { amountMsat: '2100000000000000001' }],
      ['amountMsat', { amountMsat: `1${'0'.repeat(30)}` }],
    ];
    for (const [field, over] of cases) {
      const r = await send('POST', '/v1/withdrawals', { body: JSON.stringify({ ...withdrawalBody('aurpay', 1000n).body, ...over }), type: 'application/json', token: TEST_TOKEN });
      expectError(r, 400, 'invalid_request');
      expect(r.body.error.issues.map((i: { path: string }) => i.path)).toContain(field);
    }
  });
});

describe('invoices from the future', () => {
  function futureBody(aheadS: number) {
    const { invoice } = payeeInvoice({ network: 'regtest', amountMsat: 25_000_000n, nowSeconds: Math.floor(Date.now() / 1000) + aheadS });
    return { id: `future-${randomUUID()}`, provider: 'aurpay', invoice };
  }

  it('an invoice timestamped 24 hours or 11 minutes ahead is 400 invalid_invoice, alone or as a batch item; 1 minute ahead is accepted', async () => {
    for (const ahead of [24 * 3600, 11 * 60]) {
      const r = await send('POST', '/v1/withdrawals', { body: JSON.stringify(futureBody(ahead)), type: 'application/json', token: TEST_TOKEN });
      expectError(r, 400, 'invalid_invoice');
      expect(r.body.error.message).toContain('in the future');
    }
    const batch = await send('POST', '/v1/batches', { body: JSON.stringify({ items: [futureBody(24 * 3600), futureBody(60)] }), type: 'application/json', token: TEST_TOKEN });
    expect(batch.status, batch.text.slice(0, 300)).toBe(202);
    expect(batch.body).toMatchObject({ accepted: 1, rejected: [{ index: 0, error: { code: 'invalid_invoice' } }] });
    const ok = await send('POST', '/v1/withdrawals', { body: JSON.stringify(futureBody(60)), type: 'application/json', token: TEST_TOKEN });
    expect(ok.status, ok.text.slice(0, 300)).toBe(202);
  });
});

describe('framework errors answer the error body', () => {
  it('a URL with broken percent-encoding: 400 invalid_request', async () => {
    for (const path of ['/v1/withdrawals/%zz', '/v1/withdrawals/%', '/v1/batches/a%E0%A4%A', '/docs/assets/%zz']) {
      expectError(await send('GET', path, { token: TEST_TOKEN }), 400, 'invalid_request');
      expectError(await send('GET', path), 400, 'invalid_request');
    }
  });

  it('a path parameter longer than any id: 400 invalid_request', async () => {
    expectError(await send('GET', `/v1/withdrawals/${'a'.repeat(2000)}`, { token: TEST_TOKEN }), 400, 'invalid_request');
    expectError(await send('POST', `/v1/withdrawals/${'a'.repeat(2000)}/cancel`), 400, 'invalid_request');
  });

  it('a body too large: 413; a content type no route reads: 415; both invalid_request', async () => {
    const big = JSON.stringify({ ...withdrawalBody('aurpay').body, description: 'x'.repeat(70 * 1024) });
    expectError(await send('POST', '/v1/withdrawals', { body: big, type: 'application/json', token: TEST_TOKEN }), 413, 'invalid_request');
    expectError(await send('POST', '/v1/withdrawals', { body: '<x/>', type: 'application/xml', token: TEST_TOKEN }), 415, 'invalid_request');
    expectError(await send('POST', '/v1/withdrawals', { body: 'a', type: 'application/octet-stream', token: TEST_TOKEN }), 415, 'invalid_request');
  });

  it('broken JSON, an empty JSON body, a poisoned prototype: 400 invalid_request', async () => {
    for (const body of ['{"id":', '', '{"__proto__":{"x":1}}', '{"constructor":{"prototype":{"x":1}}}', 'nul']) {
      expectError(await send('POST', '/v1/withdrawals', { body, type: 'application/json', token: TEST_TOKEN }), 400, 'invalid_request');
    }
  });

  it('unknown routes and methods: 404 not_found', async () => {
    expectError(await send('GET', '/nope'), 404, 'not_found');
    expectError(await send('GET', '/v1/nope', { token: TEST_TOKEN }), 404, 'not_found');
    expectError(await send('DELETE', '/healthz'), 404, 'not_found');
    expectError(await send('PATCH', '/v1/withdrawals', { token: TEST_TOKEN, body: '{}', type: 'application/json' }), 404, 'not_found');
  });

  it("Node's own refusals (a method it does not know, an Expect it does not understand) carry the error body", async () => {
    const unknownMethod = await rawExchange('FOO /v1/withdrawals HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(unknownMethod).toMatch(/^HTTP\/1\.1 400 /);
    expect(JSON.parse(unknownMethod.slice(unknownMethod.indexOf('\r\n\r\n') + 4)).error.code).toBe('invalid_request');
    const garbage = await rawExchange('\u0000\u0001 not http at all\r\n\r\n');
    expect(JSON.parse(garbage.slice(garbage.indexOf('\r\n\r\n') + 4)).error.code).toBe('invalid_request');
    const expectation = await rawExchange('GET /healthz HTTP/1.1\r\nHost: x\r\nExpect: the-unexpected\r\n\r\n');
    expect(expectation).toMatch(/^HTTP\/1\.1 417 /);
    expect(JSON.parse(expectation.slice(expectation.indexOf('\r\n\r\n') + 4)).error.code).toBe('invalid_request');
    await stillServing();
  });

  it('an unexpected error answers 503 unavailable, logged as unexpected error, never 500', async () => {
    const app = await buildApi({
      ...p.runtime.enqueueDeps,
      tokens: [],
      extend: async (a) => {
        a.get('/boom', async () => {
          throw new TypeError('a bug');
        });
        a.post('/boom', async () => {
          throw new TypeError('a bug after the body was read');
        });
      },
    });
    try {
      // With a body too: its request stream is already destroyed once read, which is no client gone away.
      await app.listen({ host: '127.0.0.1', port: 0 });
      const address = app.server.address();
      const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/boom`;
      for (const req of [{ method: 'GET' }, { method: 'POST', body: '{"a":1}', headers: { 'content-type': 'application/json' } }]) {
        const before = p.logLines.length;
        const res = await fetch(url, req);
        const text = await res.text();
        expectError({ status: res.status, text, body: JSON.parse(text) }, 503, 'unavailable');
        expect(text).toContain('nothing was accepted, retry with the same id');
        const logged = p.logLines.slice(before).map((l) => JSON.parse(l) as { level: number; msg: string });
        expect(logged, req.method).toContainEqual(expect.objectContaining({ level: 50, msg: 'unexpected error' }));
      }
    } finally {
      await app.close();
    }
  });
});

describe('ids of 128 characters', () => {
  it('work on every route: create, read, cancel, resolve', async () => {
    const id = `${randomUUID()}.${'_:-'.repeat(40)}`.slice(0, 128).padEnd(128, 'Z');
    expect(id).toMatch(/^[A-Za-z0-9._:-]{128}$/);
    const created = await p.call('POST', '/v1/withdrawals', withdrawalBody('aurpay', 5000n, { id }).body);
    expect(created.status).toBe(202);
    const read = await p.call('GET', `/v1/withdrawals/${id}`);
    expect(read.status).toBe(200);
    expect(read.body.id).toBe(id);
    // Not in needs_review: the route answers for the withdrawal (409), not for its URL.
    const resolved = await p.operator('POST', `/v1/withdrawals/${id}/resolve`, { outcome: 'failed', note: 'x' });
    expect(resolved.status).toBe(409);
    expect(resolved.body.error.code).toBe('invalid_state');
    const cancelled = await p.call('POST', `/v1/withdrawals/${id}/cancel`, { note: 'long id' });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('cancelled');

    const batch = await p.call('POST', `/v1/batches?id=${id}`, `${JSON.stringify(withdrawalBody('aurpay').body)}\n`, { 'content-type': 'application/x-ndjson' });
    expect(batch.status).toBe(202);
    expect((await p.call('GET', `/v1/batches/${id}`)).status).toBe(200);
    expect((await p.operator('GET', `/v1/webhooks/wh_${'a'.repeat(125)}`)).status).toBe(404);
  });
});

describe('a body that trickles in', () => {
  it(`is cut off within REQUEST_TIMEOUT_MS (${REQUEST_TIMEOUT_MS} ms here), and the server keeps serving`, async () => {
    const started = Date.now();
    const got = await new Promise<string>((resolve) => {
      const socket = connect(Number(new URL(p.baseUrl).port), '127.0.0.1');
      let data = '';
      socket.on('data', (c: Buffer) => (data += c.toString('utf8')));
      socket.on('error', () => undefined);
      socket.write(
        `POST /v1/withdrawals HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${OPERATOR_TOKEN}\r\n` +
          'Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n',
      );
      const drip = setInterval(() => {
        if (!socket.destroyed) socket.write('{');
        // Never more than 30 s: a server without the bound fails the time check below.
        if (Date.now() - started > 30_000) socket.destroy();
      }, 1000);
      socket.on('close', () => {
        clearInterval(drip);
        resolve(data);
      });
    });
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(REQUEST_TIMEOUT_MS - 100);
    // The bound plus Node's check interval (a quarter of it) and some slack for a busy machine.
    expect(elapsed).toBeLessThan(REQUEST_TIMEOUT_MS * 2 + 1500);
    if (got !== '') {
      expect(got).toMatch(/^HTTP\/1\.1 408 /);
      expect(JSON.parse(got.slice(got.indexOf('\r\n\r\n') + 4)).error.code).toBe('invalid_request');
    }
    await stillServing();
  });
});
