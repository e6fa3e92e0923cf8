import { errors } from 'undici';
import { describe, expect, it } from 'vitest';
import type { SubmitRequest } from '../../../../src/providers/types.ts';
import { INVOICE, OTHER_HASH, PAYMENT_HASH, turinpayWithdrawal } from '../helpers/fixtures.ts';
import { closedPortOrigin, startLoopback, type LoopbackHandler } from '../helpers/loopback.ts';
import { mockOrigin, recordingLogger } from '../helpers/mock.ts';
import { API_KEY, ORIGIN, answer, client, onCleanup } from './shared.ts';

const PATH = '/withdrawals';
const request: SubmitRequest = {
  withdrawalId: 'w-1',
  invoice: INVOICE,
  address: null,
  paymentHash: PAYMENT_HASH,
  amountMsat: null,
  description: null,
};

async function submitWith(status: number, body: unknown, headers: Record<string, string> = {}, req: SubmitRequest = request) {
  const { agent, sent } = answer('POST', PATH, status, body, headers);
  const outcome = await client(agent).submit(req);
  agent.assertNoPendingInterceptors();
  return { outcome, sent };
}

async function loopbackSubmit(handler: LoopbackHandler) {
  const server = await startLoopback(handler);
  onCleanup(() => server.close());
  const outcome = await client(undefined, {}, server.origin).submit(request);
  return { outcome, server };
}

describe('turinpay submit: accepted', () => {
  it('bare answer (published example) → accepted succeeded, ref = invoiceId, fee from sats', async () => {
    const { outcome, sent } = await submitWith(200, turinpayWithdrawal());
    expect(outcome).toMatchObject({ kind: 'accepted', status: 'succeeded', providerRef: PAYMENT_HASH, feeMsat: 1000n, raw: { status: 'PAID' } });
    expect(JSON.parse(sent[0]?.body ?? '')).toEqual({ address: INVOICE, type: 'ln' });
    expect(sent[0]?.headers).toMatchObject({ 'x-api-key': API_KEY, 'content-type': 'application/json' });
  });

  it('{ data } answer on 201 → the same', async () => {
    const { outcome } = await submitWith(201, { data: turinpayWithdrawal({ fees: '2' }) });
    expect(outcome).toMatchObject({ kind: 'accepted', status: 'succeeded', providerRef: PAYMENT_HASH, feeMsat: 2000n });
  });

  it('on-chain address → type BTC, description sent when given', async () => {
    const req = { ...request, invoice: null, paymentHash: null, address: 'tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx', description: 'weekly' };
    const { outcome, sent } = await submitWith(200, turinpayWithdrawal({ status: 'PENDING', ln: null, invoiceId: 'wd-1' }), {}, req);
    expect(JSON.parse(sent[0]?.body ?? '')).toEqual({ address: req.address, type: 'BTC', description: 'weekly' });
    expect(outcome).toMatchObject({ kind: 'accepted', status: 'pending', providerRef: 'wd-1' });
  });

  it.each([
    ['PENDING', 'pending'],
    ['paid', 'succeeded'],
    ['FAILED', 'failed'],
    ['CANCELED', 'failed'],
    ['CANCELLED', 'failed'],
  ] as const)('status %s → accepted %s', async (word, status) => {
    expect((await submitWith(200, turinpayWithdrawal({ status: word }))).outcome).toMatchObject({ kind: 'accepted', status });
  });

  it.each(['EXPIRED', 'CONFIRMED', 'PROCESSING', 'PAID?', 'hasOwnProperty', null])('unknown status word %j → pending, never settled', async (word) => {
    expect((await submitWith(200, turinpayWithdrawal({ status: word }))).outcome).toMatchObject({ kind: 'accepted', status: 'pending' });
  });

  it('ref falls back to ln.id, then id; a non-hash invoiceId is not compared with the payment hash', async () => {
    const noInvoiceId = turinpayWithdrawal({ invoiceId: null });
    expect((await submitWith(200, noInvoiceId)).outcome).toMatchObject({ kind: 'accepted', providerRef: PAYMENT_HASH });
    const onlyId = turinpayWithdrawal({ invoiceId: undefined, ln: undefined, id: 'wd-9' });
    expect((await submitWith(200, onlyId)).outcome).toMatchObject({ kind: 'accepted', providerRef: 'wd-9' });
    const uuidInvoiceId = turinpayWithdrawal({ invoiceId: 'a8c2a9e6-3f7b-4d0e-9a57-0b2f3c1d4e5f' });
    expect((await submitWith(200, uuidInvoiceId)).outcome).toMatchObject({ kind: 'accepted', providerRef: 'a8c2a9e6-3f7b-4d0e-9a57-0b2f3c1d4e5f' });
  });

  it('network "mainnet" is bitcoin', async () => {
    const { agent } = answer('POST', PATH, 200, turinpayWithdrawal({ network: 'mainnet' }));
    expect(await client(agent, { network: 'bitcoin' }).submit(request)).toMatchObject({ kind: 'accepted' });
  });
});

describe('turinpay submit: another payment or network → unknown', () => {
  it.each([
    ['mainnet', 'answer is for network "mainnet", we are on testnet'],
    ['regtest', 'answer is for network "regtest", we are on testnet'],
    ['liquid', 'answer names network "liquid", which is not recognised'],
  ])('network %s', async (network, reason) => {
    expect((await submitWith(200, turinpayWithdrawal({ network }))).outcome).toMatchObject({ kind: 'unknown', reason, raw: { network } });
  });

  it.each([
    ['ln.id', { ln: { id: OTHER_HASH, request: INVOICE } }, 'answer ln.id is another payment hash'],
    ['invoiceId', { invoiceId: OTHER_HASH }, 'answer invoiceId is another payment hash'],
    ['ln.request', { ln: { id: PAYMENT_HASH, request: 'lntb1otherinvoice' } }, 'answer ln.request is another invoice'],
  ])('%s of another payment', async (_name, extra, reason) => {
    expect((await submitWith(200, turinpayWithdrawal(extra))).outcome).toMatchObject({ kind: 'unknown', reason });
  });
});

describe('turinpay submit: refusals', () => {
  it('400 { success: false } → rejected with the message', async () => {
    const { outcome } = await submitWith(400, { success: false, message: 'Invalid invoice' });
    expect(outcome).toEqual({ kind: 'rejected', message: 'Invalid invoice (HTTP 400)', raw: { success: false, message: 'Invalid invoice' } });
  });

  it('422 { success: false } without a message → rejected', async () => {
    expect((await submitWith(422, { success: false })).outcome).toMatchObject({ kind: 'rejected', message: 'refused with HTTP 422' });
  });

  it('400 without the error body → unknown', async () => {
    expect((await submitWith(400, '<html>400 Bad Request</html>')).outcome).toMatchObject({
      kind: 'unknown',
      reason: 'HTTP 400 without a TurinPay error body',
      raw: { httpStatus: 400 },
    });
  });

  it.each([
    ['with the error body', { success: false, message: 'Not found' }],
    ['with HTML', '<html>404</html>'],
  ])('404 on submit %s → unknown', async (_name, body) => {
    expect((await submitWith(404, body)).outcome).toMatchObject({ kind: 'unknown', reason: 'HTTP 404' });
  });
});

describe('turinpay submit: not sent', () => {
  it.each([401, 403])('HTTP %i → not_sent authError', async (status) => {
    expect((await submitWith(status, { success: false, message: 'Unauthorized' })).outcome).toEqual({
      kind: 'not_sent',
      reason: `HTTP ${status}: credentials refused`,
      authError: true,
    });
  });

  it('429 with Retry-After → not_sent retryAfterMs; without → none', async () => {
    expect((await submitWith(429, '', { 'retry-after': '30' })).outcome).toEqual({ kind: 'not_sent', reason: 'HTTP 429: rate limited', retryAfterMs: 30_000 });
    expect((await submitWith(429, { success: false })).outcome).toEqual({ kind: 'not_sent', reason: 'HTTP 429: rate limited' });
  });

  it('connection refused → not_sent', async () => {
    expect(await client(undefined, {}, await closedPortOrigin()).submit(request)).toEqual({ kind: 'not_sent', reason: 'Error (ECONNREFUSED)' });
  });

  it('connect timeout → not_sent', async () => {
    const { agent, pool } = mockOrigin(ORIGIN);
    onCleanup(() => agent.close());
    pool.intercept({ path: PATH, method: 'POST' }).replyWithError(new errors.ConnectTimeoutError());
    expect(await client(agent).submit(request)).toEqual({ kind: 'not_sent', reason: 'ConnectTimeoutError (UND_ERR_CONNECT_TIMEOUT)' });
  });
});

describe('turinpay submit: unknown', () => {
  it.each([500, 502, 503, 504])('HTTP %i → unknown (even with the error body)', async (status) => {
    expect((await submitWith(status, { success: false, message: 'Internal' })).outcome).toMatchObject({ kind: 'unknown', reason: `HTTP ${status}` });
  });

  it('reset after the request was written → unknown, not retried', async () => {
    const { outcome, server } = await loopbackSubmit((_req, _res, socket) => socket.resetAndDestroy());
    expect(outcome).toMatchObject({ kind: 'unknown' });
    expect(server.received).toHaveLength(1);
    expect(server.received[0]?.headers['x-api-key']).toBe(API_KEY);
  });

  it('no answer after the request was written → unknown', async () => {
    const { outcome } = await loopbackSubmit(() => undefined);
    expect(outcome).toEqual({ kind: 'unknown', reason: 'HeadersTimeoutError (UND_ERR_HEADERS_TIMEOUT)' });
  });

  it('HTML on 200 → unknown', async () => {
    expect((await submitWith(200, '<!doctype html><title>maintenance</title>')).outcome).toMatchObject({
      kind: 'unknown',
      reason: 'HTTP 200 with a body that is not JSON',
      raw: { body: '<!doctype html><title>maintenance</title>' },
    });
  });

  it('truncated JSON → unknown', async () => {
    expect((await submitWith(200, JSON.stringify(turinpayWithdrawal()).slice(0, 80))).outcome).toMatchObject({ kind: 'unknown' });
  });

  it.each([
    ['no id at all', { status: 'PAID', network: 'testnet' }],
    ['empty data', { data: {} }],
    ['success:false on a 200', { success: false, message: 'weird' }],
    ['status of the wrong type', turinpayWithdrawal({ status: 1 })],
    ['a list', [turinpayWithdrawal()]],
  ])('JSON missing fields (%s) → unknown', async (_name, body) => {
    expect((await submitWith(200, body)).outcome).toMatchObject({ kind: 'unknown' });
  });
});

describe('turinpay submit: secrets and programming errors', () => {
  it('a provider echoing the key gets it redacted from message, raw and logs', async () => {
    const { agent } = answer('POST', PATH, 400, { success: false, message: `key ${API_KEY} lacks the withdrawals role` });
    const { lines, logger } = recordingLogger();
    const outcome = await client(agent, { logger }).submit(request);
    expect(outcome).toMatchObject({ kind: 'rejected', message: 'key [redacted] lacks the withdrawals role (HTTP 400)' });
    expect(JSON.stringify(outcome) + lines.join('\n')).not.toContain(API_KEY);
    expect(lines).toHaveLength(1);
  });

  it('neither invoice nor address → throws before any request', async () => {
    const { agent } = answer('POST', PATH, 200, turinpayWithdrawal());
    await expect(client(agent).submit({ ...request, invoice: null, address: null })).rejects.toThrow(/neither invoice nor address/);
    expect(agent.pendingInterceptors()).toHaveLength(1);
  });
});
