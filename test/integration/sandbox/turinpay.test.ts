import { afterEach, describe, expect, test } from 'vitest';
import { ONCHAIN_BALANCE_SATS } from '../../../src/providers/sandbox/turinpay.ts';
import { fixedFault, startSandbox, type Sandbox, type SandboxOptions } from '../../../src/providers/sandbox/index.ts';
import { call, field, json, makeInvoice, makeInvoiceWithParity, postJson, TURINPAY_KEY, type Reply } from './helpers.ts';

let sandbox: Sandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

async function start(options: Partial<SandboxOptions> = {}): Promise<Sandbox> {
  sandbox = await startSandbox({ aurpay: { apiKey: 'unused' }, turinpay: { apiKey: TURINPAY_KEY }, ...options });
  return sandbox;
}

const auth = { 'X-API-Key': TURINPAY_KEY };
const create = (s: Sandbox, body: unknown, headers: Record<string, string> = auth) =>
  postJson(`${s.turinpayUrl}/withdrawals`, headers, body);
const retrieve = (s: Sandbox, id: string, path = '/withdrawals') =>
  call(`${s.turinpayUrl}${path}?id=${encodeURIComponent(id)}`, 'GET', auth);

/** The withdrawal object, whichever envelope it came in. */
function unwrap(reply: Reply): Record<string, unknown> {
  const body = json(reply);
  const inner = body.data;
  return typeof inner === 'object' && inner !== null ? (inner as Record<string, unknown>) : body;
}

describe('turinpay withdrawals', () => {
  test("'none' pays at once; answer follows the seed's invoice-shaped object", async () => {
    const s = await start({ turinpayEnvelope: 'bare' });
    const inv = makeInvoice('t-none', 36000n);
    const reply = await create(s, { address: inv.invoice, type: 'ln', description: 'payout 1' });
    expect(reply.status).toBe(200);
    const body = json(reply);
    expect(body).toMatchObject({ invoiceId: inv.paymentHash, amount: 36, fees: 1, status: 'PAID', network: 'regtest' });
    expect(field(body, 'ln')).toMatchObject({ id: inv.paymentHash, mtokens: '36000', tokens: 36, request: inv.invoice, requestBtn: `lightning:${inv.invoice}` });
    expect(s.ledger.payments()).toMatchObject([{ provider: 'turinpay', paymentHash: inv.paymentHash, amountMsat: 36000n }]);
    const again = json(await retrieve(s, inv.paymentHash, '/withdrawals/'));
    expect(again).toMatchObject({ invoiceId: inv.paymentHash, status: 'PAID' });
  });

  test("envelopes: 'data' wraps, 'alternate' wraps odd hashes only", async () => {
    let s = await start({ turinpayEnvelope: 'data' });
    const inv = makeInvoice('t-data', 1000n);
    expect(field(json(await create(s, { address: inv.invoice })), 'data', 'invoiceId')).toBe(inv.paymentHash);
    expect(field(json(await retrieve(s, inv.paymentHash)), 'data', 'status')).toBe('PAID');
    await s.close();

    s = await start();
    const even = makeInvoiceWithParity('t-even', 1000n, false);
    const odd = makeInvoiceWithParity('t-odd', 1000n, true);
    const evenBody = json(await create(s, { address: even.invoice }));
    const oddBody = json(await create(s, { address: odd.invoice }));
    expect(evenBody.invoiceId).toBe(even.paymentHash);
    expect(evenBody.data).toBeUndefined();
    expect(field(oddBody, 'data', 'invoiceId')).toBe(odd.paymentHash);
    expect(field(json(await retrieve(s, odd.paymentHash)), 'data', 'invoiceId')).toBe(odd.paymentHash);
  });

  test('pending_then_success and pending_then_failure progress per lookup', async () => {
    const s = await start({ faults: { turinpay: fixedFault('pending_then_success') }, pendingLookups: 1 });
    const good = makeInvoice('t-pend-ok', 5000n);
    expect(unwrap(await create(s, { address: good.invoice })).status).toBe('PENDING');
    expect(unwrap(await retrieve(s, good.paymentHash)).status).toBe('PENDING');
    expect(s.ledger.payments()).toEqual([]);
    expect(unwrap(await retrieve(s, good.paymentHash)).status).toBe('PAID');
    expect(unwrap(await retrieve(s, good.paymentHash)).status).toBe('PAID');
    expect(s.ledger.paymentsFor(good.paymentHash)).toHaveLength(1);

    s.setFaults('turinpay', fixedFault('pending_then_failure'));
    const bad = makeInvoice('t-pend-bad', 5000n);
    expect(unwrap(await create(s, { address: bad.invoice })).status).toBe('PENDING');
    const seen = [];
    for (let i = 0; i < 3; i += 1) seen.push(unwrap(await retrieve(s, bad.paymentHash)).status);
    expect(seen).toEqual(['PENDING', 'FAILED', 'FAILED']);
    expect(s.ledger.paymentsFor(bad.paymentHash)).toEqual([]);
  });

  test('refusals are 400 {success:false}: amountless, wrong network, garbage, refuse fault', async () => {
    const s = await start();
    const refusals = [
      { address: makeInvoice('t-open', null).invoice },
      { address: makeInvoice('t-main', 1000n, 'bitcoin').invoice },
      { address: makeInvoice('t-sig', 1000n, 'signet').invoice },
      { address: 'lnbcrt1nonsense' },
      { address: makeInvoice('t-type', 1000n).invoice, type: 'lightning' },
      { type: 'ln' },
    ];
    for (const body of refusals) {
      const reply = await create(s, body);
      expect(reply.status).toBe(400);
      expect(json(reply)).toMatchObject({ success: false });
      expect(typeof json(reply).message).toBe('string');
    }
    s.setFaults('turinpay', fixedFault('refuse'));
    const refused = await create(s, { address: makeInvoice('t-refuse', 1000n).invoice });
    expect(refused.status).toBe(400);
    expect(json(refused)).toEqual({ success: false, message: 'insufficient balance' });
    expect(s.ledger.payments()).toEqual([]);
  });

  test('on-chain withdrawals move the account balance (ONCHAIN_BALANCE_SATS) and answer PAID', async () => {
    const s = await start();
    const reply = await create(s, { address: 'bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080', type: 'BTC' });
    expect(unwrap(reply).status).toBe('PAID');
    expect(s.ledger.payments()).toMatchObject([{ amountMsat: ONCHAIN_BALANCE_SATS * 1000n, invoice: 'bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080' }]);
    expect(unwrap(reply)).toMatchObject({ amount: Number(ONCHAIN_BALANCE_SATS) });
    expect((await create(s, { address: 'bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4', type: 'BTC' })).status).toBe(400);
    expect((await create(s, { address: 'not an address', type: 'BTC' })).status).toBe(400);
  });

  test('unknown id is 404, missing id 400, auth 401, malformed 400', async () => {
    const s = await start();
    const missing = await retrieve(s, 'ab'.repeat(32));
    expect(missing.status).toBe(404);
    expect(json(missing)).toEqual({ success: false, message: 'withdrawal not found' });
    expect((await call(`${s.turinpayUrl}/withdrawals`, 'GET', auth)).status).toBe(400);
    const unauth = await create(s, { address: 'x' }, { 'X-API-Key': 'nope' });
    expect(unauth.status).toBe(401);
    expect(json(unauth)).toMatchObject({ success: false });
    expect((await call(`${s.turinpayUrl}/withdrawals?id=x`, 'GET', {})).status).toBe(401);
    expect((await call(`${s.turinpayUrl}/withdrawals`, 'POST', { ...auth, 'content-type': 'application/json' }, '[')).status).toBe(400);
    expect((await call(`${s.turinpayUrl}/withdrawals`, 'POST', auth, 'address=x')).status).toBe(400);
    expect(s.requestCounts().turinpay).toMatchObject({ 'GET /withdrawals': { '404': 1, '400': 1, '401': 1 }, 'POST /withdrawals': { '401': 1, '400': 2 } });
  });
});
