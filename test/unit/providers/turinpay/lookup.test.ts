import { errors } from 'undici';
import { describe, expect, it } from 'vitest';
import type { LookupRequest } from '../../../../src/providers/types.ts';
import { INVOICE, OTHER_HASH, PAYMENT_HASH, turinpayWithdrawal } from '../helpers/fixtures.ts';
import { closedPortOrigin, startLoopback } from '../helpers/loopback.ts';
import { mockOrigin } from '../helpers/mock.ts';
import { API_KEY, ORIGIN, answer, client, onCleanup } from './shared.ts';

const byRef: LookupRequest = { withdrawalId: 'w-1', providerRef: PAYMENT_HASH, paymentHash: PAYMENT_HASH, invoice: INVOICE, amountMsat: 36_000n };
const PATH = `/withdrawals?id=${PAYMENT_HASH}`;

async function lookupWith(status: number, body: unknown, headers: Record<string, string> = {}, req: LookupRequest = byRef, path = PATH) {
  const { agent, sent } = answer('GET', path, status, body, headers);
  const outcome = await client(agent).lookup(req);
  agent.assertNoPendingInterceptors();
  return { outcome, sent };
}

describe('turinpay lookup: found', () => {
  it('bare answer → found succeeded; GET /withdrawals?id=<providerRef> with X-API-Key', async () => {
    const { outcome, sent } = await lookupWith(200, turinpayWithdrawal());
    expect(outcome).toMatchObject({ kind: 'found', status: 'succeeded', providerRef: PAYMENT_HASH, feeMsat: 1000n });
    expect(sent[0]).toMatchObject({ path: PATH, headers: { 'x-api-key': API_KEY } });
  });

  it('{ data } answer → found', async () => {
    expect((await lookupWith(200, { data: turinpayWithdrawal({ status: 'PENDING' }) })).outcome).toMatchObject({ kind: 'found', status: 'pending' });
  });

  it('providerRef unknown → looks up by payment hash', async () => {
    const { outcome } = await lookupWith(200, turinpayWithdrawal(), {}, { ...byRef, providerRef: null });
    expect(outcome).toMatchObject({ kind: 'found', providerRef: PAYMENT_HASH });
  });

  it('a non-hash providerRef is URL-encoded', async () => {
    const ref = 'wd 1/2';
    const body = turinpayWithdrawal({ invoiceId: ref });
    const { outcome } = await lookupWith(200, body, {}, { ...byRef, providerRef: ref }, '/withdrawals?id=wd%201%2F2');
    expect(outcome).toMatchObject({ kind: 'found', providerRef: ref });
  });

  it.each([
    ['FAILED', 'failed'],
    ['CANCELLED', 'failed'],
    ['EXPIRED', 'pending'],
    ['SOMETHING_NEW', 'pending'],
  ] as const)('status %s → found %s', async (word, status) => {
    expect((await lookupWith(200, turinpayWithdrawal({ status: word }))).outcome).toMatchObject({ kind: 'found', status });
  });
});

describe('turinpay lookup: not found and errors', () => {
  it.each([
    ['with the error body', { success: false, message: 'Withdrawal not found' }],
    ['with HTML', '<html>404</html>'],
  ])('404 %s → not_found (never failure)', async (_name, body) => {
    expect((await lookupWith(404, body)).outcome).toMatchObject({ kind: 'not_found', reason: 'HTTP 404 from /withdrawals' });
  });

  it('nothing to look up by → error without a request', async () => {
    const { agent } = mockOrigin(ORIGIN);
    onCleanup(() => agent.close());
    expect(await client(agent).lookup({ ...byRef, providerRef: null, paymentHash: null })).toMatchObject({ kind: 'error' });
  });

  it.each([401, 403])('HTTP %i → error authError', async (status) => {
    expect((await lookupWith(status, '')).outcome).toEqual({ kind: 'error', reason: `HTTP ${status}: credentials refused`, authError: true });
  });

  it('429 with Retry-After → error retryAfterMs; without → none', async () => {
    expect((await lookupWith(429, '', { 'retry-after': '2' })).outcome).toEqual({ kind: 'error', reason: 'HTTP 429: rate limited', retryAfterMs: 2000 });
    expect((await lookupWith(429, '')).outcome).toEqual({ kind: 'error', reason: 'HTTP 429: rate limited' });
  });

  it.each([500, 502, 503, 504])('HTTP %i → error', async (status) => {
    expect((await lookupWith(status, 'oops')).outcome).toMatchObject({ kind: 'error', reason: `HTTP ${status}`, raw: { httpStatus: status, body: 'oops' } });
  });

  it('400 { success: false } → error carrying the message', async () => {
    expect((await lookupWith(400, { success: false, message: 'bad id' })).outcome).toMatchObject({ kind: 'error', reason: 'HTTP 400: bad id (HTTP 400)' });
  });

  it.each([
    ['HTML', '<html>hi</html>'],
    ['truncated JSON', JSON.stringify(turinpayWithdrawal()).slice(0, 50)],
    ['missing ids', { status: 'PAID' }],
    ['empty data', { data: {} }],
  ])('%s → error', async (_name, body) => {
    expect((await lookupWith(200, body)).outcome).toMatchObject({ kind: 'error' });
  });

  it('an answer for another network → error', async () => {
    expect((await lookupWith(200, turinpayWithdrawal({ network: 'bitcoin' }))).outcome).toMatchObject({
      kind: 'error',
      reason: 'answer is for network "bitcoin", we are on testnet',
    });
  });

  it('an answer for another payment → error', async () => {
    const other = turinpayWithdrawal({ ln: { id: OTHER_HASH }, invoiceId: PAYMENT_HASH });
    expect((await lookupWith(200, other)).outcome).toMatchObject({ kind: 'error', reason: 'answer ln.id is another payment hash' });
  });

  it('an answer that carries none of the asked id → error', async () => {
    const other = turinpayWithdrawal({ invoiceId: 'wd-other', ln: null, id: 'wd-other' });
    expect((await lookupWith(200, other)).outcome).toMatchObject({ kind: 'error', reason: 'answer carries none of the id we asked for' });
  });

  it('connection refused → error', async () => {
    expect(await client(undefined, {}, await closedPortOrigin()).lookup(byRef)).toEqual({ kind: 'error', reason: 'Error (ECONNREFUSED)' });
  });

  it('reset after the GET was written → retried once, then error', async () => {
    const server = await startLoopback((_req, _res, socket) => socket.resetAndDestroy());
    onCleanup(() => server.close());
    expect(await client(undefined, {}, server.origin).lookup(byRef)).toMatchObject({ kind: 'error' });
    expect(server.received).toHaveLength(2);
  });

  it('timeout after the GET was written → error', async () => {
    const server = await startLoopback(() => undefined);
    onCleanup(() => server.close());
    expect(await client(undefined, {}, server.origin).lookup(byRef)).toEqual({ kind: 'error', reason: 'HeadersTimeoutError (UND_ERR_HEADERS_TIMEOUT)' });
  }, 10_000);

  it('a socket error then an answer → found (GET retry)', async () => {
    const { agent, pool } = mockOrigin(ORIGIN);
    onCleanup(() => agent.close());
    pool.intercept({ path: PATH }).replyWithError(new errors.SocketError('other side closed'));
    pool.intercept({ path: PATH }).reply(200, JSON.stringify(turinpayWithdrawal()));
    expect(await client(agent).lookup(byRef)).toMatchObject({ kind: 'found', status: 'succeeded' });
  });
});
