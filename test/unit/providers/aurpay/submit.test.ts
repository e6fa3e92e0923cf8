import { createHash, createHmac } from 'node:crypto';
import { errors } from 'undici';
import { describe, expect, it } from 'vitest';
import { createAurpayClient } from '../../../../src/providers/aurpay/index.ts';
import type { SubmitRequest } from '../../../../src/providers/types.ts';
import { AURPAY_TX_ID, INVOICE, PAYMENT_HASH, aurpayWithdrawAnswer } from '../helpers/fixtures.ts';
import { closedPortOrigin, startLoopback, type LoopbackHandler } from '../helpers/loopback.ts';
import { API_KEY, NOW, ORIGIN, client, onCleanup } from './shared.ts';
import { mockOrigin, recordingLogger } from '../helpers/mock.ts';

const API_SECRET = 'as_SECRETSECRET_456';
const PATH = '/api/bln/withdraw';

const request: SubmitRequest = {
  withdrawalId: 'w-1',
  invoice: INVOICE,
  address: null,
  paymentHash: PAYMENT_HASH,
  amountMsat: null,
  description: null,
};


/** A MockAgent answering the withdraw call once; returns what was sent. */
function answer(status: number, body: unknown, headers: Record<string, string> = {}) {
  const { agent, pool } = mockOrigin(ORIGIN);
  onCleanup(() => agent.close());
  const sent: Array<{ body: string; headers: Record<string, string> }> = [];
  pool.intercept({ path: PATH, method: 'POST' }).reply((opts) => {
    sent.push({ body: String(opts.body), headers: Object.fromEntries(Object.entries(opts.headers ?? {})) });
    return { statusCode: status, data: typeof body === 'string' ? body : JSON.stringify(body), responseOptions: { headers } };
  });
  return { agent, sent };
}

async function submitWith(status: number, body: unknown, headers: Record<string, string> = {}) {
  const { agent, sent } = answer(status, body, headers);
  const outcome = await client(agent).submit(request);
  agent.assertNoPendingInterceptors();
  return { outcome, sent };
}

async function loopbackSubmit(handler: LoopbackHandler) {
  const server = await startLoopback(handler);
  onCleanup(() => server.close());
  const outcome = await client(undefined, {}, server.origin).submit(request);
  return { outcome, server };
}

describe('aurpay submit: accepted', () => {
  it('success (published example) → accepted succeeded with tx_id and fee; body carries no amount', async () => {
    const { outcome, sent } = await submitWith(200, aurpayWithdrawAnswer());
    expect(outcome).toMatchObject({ kind: 'accepted', status: 'succeeded', providerRef: AURPAY_TX_ID, feeMsat: 0n });
    expect(sent[0]?.body).toBe(JSON.stringify({ ln_invoices: INVOICE }));
    expect(sent[0]?.headers).toMatchObject({ 'API-Key': API_KEY, 'content-type': 'application/json' });
  });

  it('amountless invoice → `amount` sent as a BTC decimal string', async () => {
    const { agent, sent } = answer(200, aurpayWithdrawAnswer());
    await client(agent).submit({ ...request, amountMsat: 17_293_000n });
    expect(JSON.parse(sent[0]?.body ?? '')).toEqual({ ln_invoices: INVOICE, amount: '0.00017293' });
  });

  it.each([
    ['PENDING', 'pending'],
    ['PROCESSING', 'pending'],
    ['success', 'succeeded'],
    ['FAILED', 'failed'],
    ['FAIL', 'failed'],
    ['TERMINATED', 'failed'],
    ['CANCELLED', 'failed'],
  ] as const)('status %s → accepted %s', async (word, status) => {
    const { outcome } = await submitWith(200, aurpayWithdrawAnswer({ status: word }));
    expect(outcome).toMatchObject({ kind: 'accepted', status, providerRef: AURPAY_TX_ID });
  });

  it.each(['REFUNDED', 'OVERDUE', 'RESOLVED', 'PARTIAL', 'SUCCEEDED_MAYBE', 'constructor', '', null])(
    'unknown status word %j → pending, never settled',
    async (word) => {
      const { outcome } = await submitWith(200, aurpayWithdrawAnswer({ status: word }));
      expect(outcome).toMatchObject({ kind: 'accepted', status: 'pending', providerRef: AURPAY_TX_ID });
    },
  );

  it('fee in BTC → msat; a fee that does not read exactly makes the answer unknown', async () => {
    expect((await submitWith(200, aurpayWithdrawAnswer({ fee: '0.00000001' }))).outcome).toMatchObject({ feeMsat: 1000n });
    expect((await submitWith(200, aurpayWithdrawAnswer({ fee: '1e-8' }))).outcome).toMatchObject({ kind: 'unknown' });
  });
});

describe('aurpay submit: refusals', () => {
  it('2xx with code ≠ 0 → rejected with the provider message', async () => {
    const { outcome } = await submitWith(200, { code: 10001, message: 'insufficient balance', data: null, result: false });
    expect(outcome).toEqual({ kind: 'rejected', message: 'insufficient balance (code 10001)', raw: expect.objectContaining({ code: 10001 }) });
  });

  it('code 0 with result:false → rejected', async () => {
    const { outcome } = await submitWith(200, { code: 0, message: 'invoice expired', result: false });
    expect(outcome).toMatchObject({ kind: 'rejected', message: 'invoice expired (code 0)' });
  });

  it('400 with an Aurpay refusal envelope → rejected', async () => {
    const { outcome } = await submitWith(400, { code: 400, message: 'invalid invoice', result: false });
    expect(outcome).toMatchObject({ kind: 'rejected', message: 'invalid invoice (code 400)' });
  });

  it('400 without an envelope (proxy page) → unknown, with a body excerpt', async () => {
    const { outcome } = await submitWith(400, '<html>Bad Request</html>');
    expect(outcome).toMatchObject({ kind: 'unknown', raw: { httpStatus: 400, body: '<html>Bad Request</html>' } });
  });

  it('404 even with an envelope → unknown', async () => {
    const { outcome } = await submitWith(404, { code: 404, message: 'not found', result: false });
    expect(outcome).toMatchObject({ kind: 'unknown', reason: 'HTTP 404' });
  });

  it('a refusal that carries a tx_id contradicts itself → unknown', async () => {
    const { outcome } = await submitWith(200, { code: 1, message: 'failed', data: { tx_id: AURPAY_TX_ID }, result: false });
    expect(outcome).toMatchObject({ kind: 'unknown', reason: expect.stringContaining('contradictory') });
  });

  it('a success envelope on a 4xx → unknown', async () => {
    const { outcome } = await submitWith(409, aurpayWithdrawAnswer());
    expect(outcome).toMatchObject({ kind: 'unknown', reason: expect.stringContaining('contradictory') });
  });
});

describe('aurpay submit: not sent', () => {
  it.each([401, 403])('HTTP %i → not_sent authError', async (status) => {
    const { outcome } = await submitWith(status, { code: status, message: 'bad key', result: false });
    expect(outcome).toEqual({ kind: 'not_sent', reason: `HTTP ${status}: credentials refused`, authError: true });
  });

  it('429 with Retry-After seconds → not_sent with retryAfterMs', async () => {
    const { outcome } = await submitWith(429, 'slow down', { 'retry-after': '7' });
    expect(outcome).toEqual({ kind: 'not_sent', reason: 'HTTP 429: rate limited', retryAfterMs: 7000 });
  });

  it('429 with a Retry-After HTTP date → retryAfterMs from now', async () => {
    const { outcome } = await submitWith(429, '', { 'retry-after': 'Sun, 01 Mar 2026 10:01:00 GMT' });
    expect(outcome).toEqual({ kind: 'not_sent', reason: 'HTTP 429: rate limited', retryAfterMs: 60_000 });
  });

  it('429 without Retry-After → not_sent without retryAfterMs', async () => {
    const { outcome } = await submitWith(429, '');
    expect(outcome).toEqual({ kind: 'not_sent', reason: 'HTTP 429: rate limited' });
  });

  it('connection refused → not_sent', async () => {
    const outcome = await client(undefined, {}, await closedPortOrigin()).submit(request);
    expect(outcome).toEqual({ kind: 'not_sent', reason: 'Error (ECONNREFUSED)' });
  });

  it('connect timeout (before anything was written) → not_sent', async () => {
    const { agent, pool } = mockOrigin(ORIGIN);
    onCleanup(() => agent.close());
    pool.intercept({ path: PATH, method: 'POST' }).replyWithError(new errors.ConnectTimeoutError());
    const outcome = await client(agent).submit(request);
    expect(outcome).toEqual({ kind: 'not_sent', reason: 'ConnectTimeoutError (UND_ERR_CONNECT_TIMEOUT)' });
  });
});

describe('aurpay submit: unknown', () => {
  it.each([500, 502, 503, 504])('HTTP %i → unknown', async (status) => {
    const { outcome } = await submitWith(status, 'upstream trouble');
    expect(outcome).toEqual({ kind: 'unknown', reason: `HTTP ${status}`, raw: { httpStatus: status, body: 'upstream trouble', truncated: false } });
  });

  it('500 with a refusal envelope is still unknown', async () => {
    const { outcome } = await submitWith(500, { code: 500, message: 'internal error', result: false });
    expect(outcome).toMatchObject({ kind: 'unknown', reason: 'HTTP 500' });
  });

  it('reset after the request was written → unknown, and the POST is not retried', async () => {
    const { outcome, server } = await loopbackSubmit((_req, _res, socket) => socket.resetAndDestroy());
    expect(outcome).toMatchObject({ kind: 'unknown' });
    expect(server.received).toHaveLength(1);
    expect(server.received[0]?.body).toBe(JSON.stringify({ ln_invoices: INVOICE }));
  });

  it('no answer after the request was written (timeout) → unknown', async () => {
    const { outcome, server } = await loopbackSubmit(() => undefined);
    expect(outcome).toEqual({ kind: 'unknown', reason: 'HeadersTimeoutError (UND_ERR_HEADERS_TIMEOUT)' });
    expect(server.received).toHaveLength(1);
  });

  it('a socket error is not retried either (MockAgent)', async () => {
    const { agent, pool } = mockOrigin(ORIGIN);
    onCleanup(() => agent.close());
    pool.intercept({ path: PATH, method: 'POST' }).replyWithError(new errors.SocketError('other side closed'));
    pool.intercept({ path: PATH, method: 'POST' }).reply(200, aurpayWithdrawAnswer());
    const outcome = await client(agent).submit(request);
    expect(outcome).toEqual({ kind: 'unknown', reason: 'SocketError (UND_ERR_SOCKET)' });
    expect(agent.pendingInterceptors()).toHaveLength(1);
  });

  it('HTML on 200 → unknown with a 2 KB excerpt', async () => {
    const html = `<html>${'x'.repeat(5000)}</html>`;
    const { outcome } = await submitWith(200, html);
    expect(outcome).toMatchObject({ kind: 'unknown', reason: 'HTTP 200 with a body that is not JSON' });
    const raw = outcome.kind === 'unknown' ? outcome.raw : null;
    expect(JSON.stringify(raw).length).toBeLessThan(2300);
  });

  it('truncated JSON → unknown', async () => {
    const { outcome } = await submitWith(200, JSON.stringify(aurpayWithdrawAnswer()).slice(0, 60));
    expect(outcome).toMatchObject({ kind: 'unknown', reason: 'HTTP 200 with a body that is not JSON' });
  });

  it('body cut off by the server mid-way → unknown', async () => {
    const { outcome } = await loopbackSubmit((_req, res, socket) => {
      res.writeHead(200, { 'content-length': '500' });
      res.write('{"code":0,"data":{"tx_id":"', () => socket.destroy());
    });
    expect(outcome).toMatchObject({ kind: 'unknown' });
  });

  it.each([
    ['no code', { message: 'ok', data: { tx_id: AURPAY_TX_ID }, result: true }, 'HTTP 200 without an Aurpay envelope'],
    ['code as a string', { code: '0', message: 'ok', data: { tx_id: AURPAY_TX_ID } }, 'HTTP 200 without an Aurpay envelope'],
    ['no data', { code: 0, message: 'ok', result: true }, 'code 0 without data.tx_id'],
    ['data without tx_id', { code: 0, message: 'ok', data: { status: 'SUCCESS' }, result: true }, 'code 0 without data.tx_id'],
    ['empty tx_id', aurpayWithdrawAnswer({ tx_id: '' }), 'code 0 without data.tx_id'],
    ['a JSON array', [1, 2], 'HTTP 200 without an Aurpay envelope'],
  ])('JSON missing fields (%s) → unknown', async (_name, body, reason) => {
    const { outcome } = await submitWith(200, body);
    expect(outcome).toMatchObject({ kind: 'unknown', reason });
  });

  it('tx_id without a status word → accepted pending (the id proves acceptance)', async () => {
    const { outcome } = await submitWith(200, { code: 0, message: 'ok', data: { tx_id: AURPAY_TX_ID }, result: true });
    expect(outcome).toMatchObject({ kind: 'accepted', status: 'pending', providerRef: AURPAY_TX_ID, feeMsat: null });
  });
});

describe('aurpay submit: auth and secrets', () => {
  it('signature auth signs the exact body and the path', async () => {
    const { agent, sent } = answer(200, aurpayWithdrawAnswer());
    await client(agent, { apiSecret: API_SECRET, apiToken: 'api-token-77' }).submit({ ...request, amountMsat: 1n });
    const { body, headers } = sent[0] ?? { body: '', headers: {} };
    const bodyMd5 = createHash('md5').update(body).digest('hex');
    const origin = `HMAC-SHA256 | ${NOW.toISOString()} | POST ${PATH} | ${bodyMd5}`;
    expect(headers).toMatchObject({
      'API-Token': 'api-token-77',
      Algorithm: 'HMAC-SHA256',
      Date: NOW.toISOString(),
      'Body-MD5': bodyMd5,
      Signature: createHmac('sha256', API_SECRET).update(origin).digest('base64'),
    });
    expect(headers['API-Key']).toBeUndefined();
    expect(JSON.parse(body)).toEqual({ ln_invoices: INVOICE, amount: '0.00000000001' });
  });

  it('a provider echoing the key or secret gets them redacted from message, raw and logs', async () => {
    const { agent } = answer(400, { code: 7, message: `key ${API_KEY} / ${API_SECRET} not allowed`, result: false });
    const { lines, logger } = recordingLogger();
    const outcome = await client(agent, { apiSecret: API_SECRET, logger }).submit(request);
    expect(outcome).toMatchObject({ kind: 'rejected', message: 'key [redacted] / [redacted] not allowed (code 7)' });
    const everything = JSON.stringify(outcome) + lines.join('\n');
    expect(everything).not.toContain(API_KEY);
    expect(everything).not.toContain(API_SECRET);
    expect(lines.join('\n')).toContain('"outcome":"rejected"');
  });

  it('an address withdrawal is a programming error, not an outcome', async () => {
    const { agent } = answer(200, aurpayWithdrawAnswer());
    await expect(client(agent).submit({ ...request, invoice: null, address: 'tb1qxyz' })).rejects.toThrow(/address withdrawals are not supported/);
    expect(agent.pendingInterceptors()).toHaveLength(1);
  });

  it('refuses bad options at construction', () => {
    expect(() => createAurpayClient({ baseUrl: ORIGIN, apiKey: API_KEY, timeoutMs: 100, lookupPageSize: 0 })).toThrow(/lookupPageSize/);
    expect(() => createAurpayClient({ baseUrl: ORIGIN, apiKey: '', timeoutMs: 100 })).toThrow(/apiKey/);
  });
});
