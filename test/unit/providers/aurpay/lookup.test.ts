import { createHmac } from 'node:crypto';
import { errors } from 'undici';
import { describe, expect, it } from 'vitest';
import type { LookupRequest } from '../../../../src/providers/types.ts';
import { AURPAY_TX_ID, INVOICE, OTHER_HASH, PAYMENT_HASH, aurpayTx, aurpayTxPage } from '../helpers/fixtures.ts';
import { closedPortOrigin, startLoopback } from '../helpers/loopback.ts';
import { API_KEY, NOW, ORIGIN, client, onCleanup } from './shared.ts';
import { mockOrigin } from '../helpers/mock.ts';


const byRef: LookupRequest = { withdrawalId: 'w-1', providerRef: AURPAY_TX_ID, paymentHash: PAYMENT_HASH, invoice: INVOICE, amountMsat: 36_000n };
const byHash: LookupRequest = { ...byRef, providerRef: null };


/** One MockAgent; `pages[n]` answers page n+1 (status 200 unless a [status, body] pair). */
function pages(answers: Array<unknown>, size = 50) {
  const { agent, pool } = mockOrigin(ORIGIN);
  onCleanup(() => agent.close());
  const paths: string[] = [];
  const headers: Array<Record<string, string>> = [];
  answers.forEach((entry, index) => {
    const [status, body] = Array.isArray(entry) && typeof entry[0] === 'number' ? entry : [200, entry];
    pool.intercept({ path: `/api/v2/tx?page=${index + 1}&size=${size}`, method: 'GET' }).reply((opts) => {
      paths.push(opts.path);
      headers.push(Object.fromEntries(Object.entries(opts.headers ?? {})));
      return { statusCode: Number(status), data: typeof body === 'string' ? body : JSON.stringify(body) };
    });
  });
  return { agent, paths, headers };
}

const filler = (page: number, n = 3) => Array.from({ length: n }, (_, i) => aurpayTx(`other-${page}-${i}`, { tx_hash: OTHER_HASH }));

describe('aurpay lookup: found', () => {
  it('by tx_id on page 1 → found with mapped status and fee', async () => {
    const { agent, paths } = pages([aurpayTxPage(1, 3, [...filler(1), aurpayTx(AURPAY_TX_ID)])]);
    const outcome = await client(agent).lookup(byRef);
    expect(outcome).toMatchObject({ kind: 'found', status: 'succeeded', providerRef: AURPAY_TX_ID, feeMsat: 1000n, raw: { tx_id: AURPAY_TX_ID } });
    expect(paths).toEqual(['/api/v2/tx?page=1&size=50']);
  });

  it('pages until found and stops there', async () => {
    const { agent, paths } = pages([aurpayTxPage(1, 5, filler(1)), aurpayTxPage(2, 5, [aurpayTx(AURPAY_TX_ID, { status: 'PENDING' })]), aurpayTxPage(3, 5, filler(3))]);
    const outcome = await client(agent).lookup(byRef);
    expect(outcome).toMatchObject({ kind: 'found', status: 'pending', providerRef: AURPAY_TX_ID });
    expect(paths).toEqual(['/api/v2/tx?page=1&size=50', '/api/v2/tx?page=2&size=50']);
  });

  it.each([
    ['FAILED', 'failed'],
    ['PROCESSING', 'pending'],
    ['REFUNDED', 'pending'],
    ['WHATEVER', 'pending'],
  ] as const)('status %s → found %s', async (word, status) => {
    const { agent } = pages([aurpayTxPage(1, 1, [aurpayTx(AURPAY_TX_ID, { status: word })])]);
    expect(await client(agent).lookup(byRef)).toMatchObject({ kind: 'found', status });
  });

  it('providerRef unknown (submit answer lost): matches tx_hash === payment hash', async () => {
    const { agent, paths } = pages([
      aurpayTxPage(1, 2, filler(1)),
      aurpayTxPage(2, 2, [aurpayTx('tx-by-hash', { tx_hash: PAYMENT_HASH.toUpperCase() })]),
    ]);
    const outcome = await client(agent).lookup(byHash);
    expect(outcome).toMatchObject({ kind: 'found', status: 'succeeded', providerRef: 'tx-by-hash' });
    expect(paths).toHaveLength(2);
  });

  it('providerRef unknown: matches to_addr === invoice', async () => {
    const { agent } = pages([aurpayTxPage(1, 1, [aurpayTx('tx-by-invoice', { to_addr: INVOICE })])]);
    expect(await client(agent).lookup({ ...byHash, paymentHash: null })).toMatchObject({ kind: 'found', providerRef: 'tx-by-invoice' });
  });

  it('uses lookupPageSize in the query', async () => {
    const { agent, paths } = pages([aurpayTxPage(1, 1, [aurpayTx(AURPAY_TX_ID)], 10)], 10);
    expect(await client(agent, { lookupPageSize: 10 }).lookup(byRef)).toMatchObject({ kind: 'found' });
    expect(paths).toEqual(['/api/v2/tx?page=1&size=10']);
  });
});

describe('aurpay lookup: not found (never failure)', () => {
  it('absent from every page up to max_page → not_found', async () => {
    const { agent, paths } = pages([aurpayTxPage(1, 2, filler(1)), aurpayTxPage(2, 2, filler(2))]);
    expect(await client(agent).lookup(byRef)).toMatchObject({ kind: 'not_found', reason: 'not in the first 2 page(s) of /api/v2/tx' });
    expect(paths).toHaveLength(2);
  });

  it('page bound: stops after lookupMaxPages even when max_page is larger', async () => {
    const { agent, paths } = pages([1, 2, 3, 4].map((p) => aurpayTxPage(p, 10, filler(p))));
    expect(await client(agent, { lookupMaxPages: 3 }).lookup(byRef)).toMatchObject({ kind: 'not_found' });
    expect(paths).toEqual(['/api/v2/tx?page=1&size=50', '/api/v2/tx?page=2&size=50', '/api/v2/tx?page=3&size=50']);
    expect(agent.pendingInterceptors()).toHaveLength(1);
  });

  it('without max_page: a short page is the last one', async () => {
    const { agent, paths } = pages([{ code: 0, message: 'ok', data: { data: filler(1, 2) }, result: true }]);
    expect(await client(agent).lookup(byRef)).toMatchObject({ kind: 'not_found' });
    expect(paths).toHaveLength(1);
  });

  it('no match by hash or invoice → not_found', async () => {
    const { agent } = pages([aurpayTxPage(1, 1, filler(1))]);
    expect(await client(agent).lookup(byHash)).toMatchObject({ kind: 'not_found' });
  });
});

describe('aurpay lookup: errors', () => {
  it('nothing to match by → error without a request', async () => {
    const { agent } = pages([]);
    expect(await client(agent).lookup({ ...byRef, providerRef: null, paymentHash: null, invoice: null })).toMatchObject({ kind: 'error' });
  });

  it('two transactions match the payment hash → error (ambiguous, never a guess)', async () => {
    const { agent } = pages([
      aurpayTxPage(1, 1, [aurpayTx('tx-a', { tx_hash: PAYMENT_HASH, status: 'FAILED' }), aurpayTx('tx-b', { tx_hash: PAYMENT_HASH })]),
    ]);
    expect(await client(agent).lookup(byHash)).toMatchObject({ kind: 'error', reason: '2 transactions match the payment: ambiguous' });
  });

  it('tx_id matches but carries another payment hash → error', async () => {
    const { agent } = pages([aurpayTxPage(1, 1, [aurpayTx(AURPAY_TX_ID, { tx_hash: OTHER_HASH })])]);
    expect(await client(agent).lookup(byRef)).toMatchObject({ kind: 'error', reason: expect.stringContaining('another payment hash') });
  });

  it('unreadable transactions and no match → error, not not_found', async () => {
    const { agent } = pages([aurpayTxPage(1, 1, [...filler(1), { tx_id: 42 }, 'junk'])]);
    expect(await client(agent).lookup(byRef)).toMatchObject({ kind: 'error', reason: expect.stringContaining('2 transaction(s)') });
  });

  it.each([401, 403])('HTTP %i → error authError', async (status) => {
    const { agent } = pages([[status, '']]);
    expect(await client(agent).lookup(byRef)).toEqual({ kind: 'error', reason: `HTTP ${status}: credentials refused`, authError: true });
  });

  it('429 with and without Retry-After → error (with retryAfterMs)', async () => {
    const { agent, pool } = mockOrigin(ORIGIN);
    onCleanup(() => agent.close());
    pool.intercept({ path: '/api/v2/tx?page=1&size=50' }).reply(429, '', { headers: { 'retry-after': '3' } });
    pool.intercept({ path: '/api/v2/tx?page=1&size=50' }).reply(429, '');
    const c = client(agent);
    expect(await c.lookup(byRef)).toEqual({ kind: 'error', reason: 'HTTP 429: rate limited', retryAfterMs: 3000 });
    expect(await c.lookup(byRef)).toEqual({ kind: 'error', reason: 'HTTP 429: rate limited' });
  });

  it.each([404, 500, 502, 503, 504])('HTTP %i → error', async (status) => {
    const { agent } = pages([[status, 'nope']]);
    expect(await client(agent).lookup(byRef)).toMatchObject({ kind: 'error', reason: `HTTP ${status} from /api/v2/tx`, raw: { body: 'nope' } });
  });

  it('an error on page 2 is an error, even after page 1 was read', async () => {
    const { agent } = pages([aurpayTxPage(1, 3, filler(1)), [502, 'bad gateway']]);
    expect(await client(agent).lookup(byRef)).toMatchObject({ kind: 'error', reason: 'HTTP 502 from /api/v2/tx' });
  });

  it.each([
    ['HTML', '<html>oops</html>', 'tx list body is not JSON'],
    ['truncated JSON', JSON.stringify(aurpayTxPage(1, 1, filler(1))).slice(0, 40), 'tx list body is not JSON'],
    ['no envelope', { data: { data: [] } }, 'tx list without an Aurpay envelope'],
    ['no data list', { code: 0, message: 'ok', data: { page: 1 }, result: true }, 'tx list data is not a page of transactions'],
    ['a refusal', { code: 3, message: 'forbidden', result: false }, 'tx list refused: forbidden (code 3)'],
  ])('%s → error', async (_name, body, reason) => {
    const { agent } = pages([body]);
    expect(await client(agent).lookup(byRef)).toMatchObject({ kind: 'error', reason });
  });

  it('connection refused → error after 2 attempts', async () => {
    const outcome = await client(undefined, {}, await closedPortOrigin()).lookup(byRef);
    expect(outcome).toEqual({ kind: 'error', reason: 'Error (ECONNREFUSED)' });
  });

  it('reset after the GET was written → retried once; a second reset → error', async () => {
    const server = await startLoopback((_req, _res, socket) => socket.resetAndDestroy());
    onCleanup(() => server.close());
    const outcome = await client(undefined, {}, server.origin).lookup(byRef);
    expect(outcome).toMatchObject({ kind: 'error' });
    expect(server.received).toHaveLength(2);
  });

  it('a transport error then an answer → found (GET retry)', async () => {
    const { agent, pool } = mockOrigin(ORIGIN);
    onCleanup(() => agent.close());
    pool.intercept({ path: '/api/v2/tx?page=1&size=50' }).replyWithError(new errors.ConnectTimeoutError());
    pool.intercept({ path: '/api/v2/tx?page=1&size=50' }).reply(200, JSON.stringify(aurpayTxPage(1, 1, [aurpayTx(AURPAY_TX_ID)])));
    expect(await client(agent).lookup(byRef)).toMatchObject({ kind: 'found', providerRef: AURPAY_TX_ID });
  });

  it('timeout after the GET was written → error', async () => {
    const server = await startLoopback(() => undefined);
    onCleanup(() => server.close());
    const outcome = await client(undefined, {}, server.origin).lookup(byRef);
    expect(outcome).toEqual({ kind: 'error', reason: 'HeadersTimeoutError (UND_ERR_HEADERS_TIMEOUT)' });
  }, 10_000);
});

describe('aurpay lookup: signature auth', () => {
  it('GET is signed without Body-MD5 and without the query string', async () => {
    const { agent, headers } = pages([aurpayTxPage(1, 1, [aurpayTx(AURPAY_TX_ID)])]);
    await client(agent, { apiSecret: 'as_SECRETSECRET_456' }).lookup(byRef);
    const origin = `HMAC-SHA256 | ${NOW.toISOString()} | GET /api/v2/tx`;
    expect(headers[0]).toMatchObject({
      'API-Token': API_KEY,
      Signature: createHmac('sha256', 'as_SECRETSECRET_456').update(origin).digest('base64'),
    });
    expect(headers[0]?.['Body-MD5']).toBeUndefined();
  });
});
