import { createHash, createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startSandbox, type Sandbox } from '../../../src/providers/sandbox/index.ts';
import { call, field, json, makeInvoice } from './helpers.ts';

const TOKEN = 'token-1';
const SECRET = 'secret-1';
let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({
    aurpay: { apiKey: 'key-1', apiToken: TOKEN, apiSecret: SECRET },
    turinpay: { apiKey: 'unused' },
  });
});
afterAll(() => sandbox.close());

interface SignOptions {
  method: 'GET' | 'POST';
  signedPath: string;
  body?: string;
  date?: string;
  secret?: string;
  bodyMd5?: string;
}

/** Computes the Aurpay signature headers independently of the sandbox (providers.md §1.3). */
function signed(o: SignOptions): Record<string, string> {
  const date = o.date ?? new Date().toISOString();
  const md5 = o.body === undefined ? '' : createHash('md5').update(o.body).digest('hex');
  const origin = md5
    ? `HMAC-SHA256 | ${date} | ${o.method} ${o.signedPath} | ${md5}`
    : `HMAC-SHA256 | ${date} | ${o.method} ${o.signedPath}`;
  const headers: Record<string, string> = {
    'API-Token': TOKEN,
    Algorithm: 'HMAC-SHA256',
    Date: date,
    Signature: createHmac('sha256', o.secret ?? SECRET).update(origin).digest('base64'),
  };
  if (o.body !== undefined) {
    headers['Body-MD5'] = o.bodyMd5 ?? md5;
    headers['Content-Type'] = 'application/json';
  }
  return headers;
}

const withdrawBody = (label: string) => JSON.stringify({ ln_invoices: makeInvoice(label, 1000n).invoice });
const post = (headers: Record<string, string>, body: string) =>
  call(`${sandbox.aurpayUrl}/api/bln/withdraw`, 'POST', headers, body);

describe('aurpay signature authentication', () => {
  test('accepts a correctly signed POST (md5 over the exact bytes) and a signed GET without query in the path', async () => {
    const body = `{ "ln_invoices" :  ${JSON.stringify(makeInvoice('sig-ok', 1000n).invoice)} }`;
    const reply = await post(signed({ method: 'POST', signedPath: '/api/bln/withdraw', body }), body);
    expect(reply.status).toBe(200);
    expect(field(json(reply), 'data', 'status')).toBe('SUCCESS');

    const get = await call(`${sandbox.aurpayUrl}/api/v2/tx?page=1&size=10`, 'GET', signed({ method: 'GET', signedPath: '/api/v2/tx' }));
    expect(get.status).toBe(200);
    expect(field(json(get), 'data', 'total')).toBe(1);
  });

  test('rejects a GET signed over the path with its query string', async () => {
    const reply = await call(
      `${sandbox.aurpayUrl}/api/v2/tx?page=1&size=10`,
      'GET',
      signed({ method: 'GET', signedPath: '/api/v2/tx?page=1&size=10' }),
    );
    expect(reply.status).toBe(401);
  });

  test('rejects wrong secret, stale Date, non-ISO Date, wrong Body-MD5, tampered body, wrong token, missing Algorithm', async () => {
    const body = withdrawBody('sig-bad');
    const path = '/api/bln/withdraw';
    const cases: Record<string, string>[] = [
      signed({ method: 'POST', signedPath: path, body, secret: 'other' }),
      signed({ method: 'POST', signedPath: path, body, date: new Date(Date.now() - 6 * 60_000).toISOString() }),
      signed({ method: 'POST', signedPath: path, body, date: new Date(Date.now() + 6 * 60_000).toISOString() }),
      signed({ method: 'POST', signedPath: path, body, date: new Date().toUTCString() }),
      signed({ method: 'POST', signedPath: path, body, bodyMd5: createHash('md5').update('x').digest('hex') }),
      { ...signed({ method: 'POST', signedPath: path, body }), 'API-Token': 'other' },
      Object.fromEntries(Object.entries(signed({ method: 'POST', signedPath: path, body })).filter(([k]) => k !== 'Algorithm')),
      Object.fromEntries(Object.entries(signed({ method: 'POST', signedPath: path, body })).filter(([k]) => k !== 'Body-MD5')),
    ];
    for (const headers of cases) expect((await post(headers, body)).status).toBe(401);
    const tampered = signed({ method: 'POST', signedPath: path, body });
    expect((await post(tampered, `${body} `)).status).toBe(401);
    expect(sandbox.ledger.paymentsFor(makeInvoice('sig-bad', 1000n).paymentHash)).toEqual([]);
  });

  test('a Date within 5 minutes is accepted; API-Key auth still works beside signatures', async () => {
    const body = withdrawBody('sig-skew');
    const date = new Date(Date.now() - 4 * 60_000).toISOString();
    expect((await post(signed({ method: 'POST', signedPath: '/api/bln/withdraw', body, date }), body)).status).toBe(200);
    const viaKey = await post({ 'API-Key': 'key-1', 'content-type': 'application/json' }, withdrawBody('sig-key'));
    expect(field(json(viaKey), 'code')).toBe(0);
  });
});
