import { afterEach, describe, expect, test } from 'vitest';
import { fixedFault, startSandbox, type Sandbox, type SandboxOptions } from '../../../src/providers/sandbox/index.ts';
import { AURPAY_KEY, call, field, json, makeInvoice, postJson } from './helpers.ts';

let sandbox: Sandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

async function start(options: Partial<SandboxOptions> = {}): Promise<Sandbox> {
  sandbox = await startSandbox({ aurpay: { apiKey: AURPAY_KEY }, turinpay: { apiKey: 'unused' }, ...options });
  return sandbox;
}

const auth = { 'API-Key': AURPAY_KEY };
const withdraw = (s: Sandbox, body: unknown, headers: Record<string, string> = auth) =>
  postJson(`${s.aurpayUrl}/api/bln/withdraw`, headers, body);
const list = (s: Sandbox, query = 'page=1&size=10') => call(`${s.aurpayUrl}/api/v2/tx?${query}`, 'GET', auth);

describe('aurpay withdraw', () => {
  test("'none' pays at once and answers the documented success envelope", async () => {
    const s = await start();
    const inv = makeInvoice('a-none', 36000n);
    const reply = await withdraw(s, { ln_invoices: inv.invoice });
    expect(reply.status).toBe(200);
    const body = json(reply);
    expect(body).toMatchObject({ code: 0, message: 'ok', result: true });
    expect(field(body, 'data')).toMatchObject({
      type: 'WITHDRAW', status: 'SUCCESS', chain: 'BLN', currency: 'BTC-LN', amount: '0.00000036', fee: '0.00000000036',
    });
    expect(String(field(body, 'data', 'tx_id'))).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-/);
    expect(field(body, 'data', 'update_time')).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
    expect(s.ledger.payments()).toMatchObject([{ provider: 'aurpay', paymentHash: inv.paymentHash, invoice: inv.invoice, amountMsat: 36000n }]);
  });

  test('a second submit of a paid invoice pays again (careless provider) and shows as a duplicate', async () => {
    const s = await start();
    const inv = makeInvoice('a-twice', 50_000n);
    const first = json(await withdraw(s, { ln_invoices: inv.invoice }));
    const second = json(await withdraw(s, { ln_invoices: inv.invoice }));
    expect(field(second, 'data', 'status')).toBe('SUCCESS');
    expect(field(second, 'data', 'tx_id')).not.toBe(field(first, 'data', 'tx_id'));
    expect(s.ledger.paymentsFor(inv.paymentHash)).toHaveLength(2);
    expect(s.ledger.duplicates()).toEqual([inv.paymentHash]);
    expect(s.ledger.totalPaidMsat()).toBe(100_000n);
  });

  test('amountless invoices need a matching BTC decimal amount', async () => {
    const s = await start();
    const open = makeInvoice('a-open', null);
    expect(json(await withdraw(s, { ln_invoices: open.invoice }))).toMatchObject({ code: 10004, result: false, data: null });
    expect(json(await withdraw(s, { ln_invoices: open.invoice, amount: 0.00000036 }))).toMatchObject({ result: false });
    const paid = json(await withdraw(s, { ln_invoices: open.invoice, amount: '0.00000036' }));
    expect(field(paid, 'data', 'amount')).toBe('0.00000036');
    expect(s.ledger.paymentsFor(open.paymentHash)).toMatchObject([{ amountMsat: 36000n }]);

    const fixed = makeInvoice('a-fixed', 36000n);
    expect(json(await withdraw(s, { ln_invoices: fixed.invoice, amount: '0.00000037' }))).toMatchObject({ code: 10005, result: false });
    expect(field(json(await withdraw(s, { ln_invoices: fixed.invoice, amount: '0.000000360' })), 'data', 'status')).toBe('SUCCESS');
  });

  test('refuses undecodable and wrong-network invoices with HTTP 200 and a non-zero code', async () => {
    const s = await start();
    for (const ln_invoices of ['lnbcrt1garbage', makeInvoice('a-main', 1000n, 'bitcoin').invoice, makeInvoice('a-tb', 1000n, 'testnet').invoice]) {
      const reply = await withdraw(s, { ln_invoices });
      expect(reply.status).toBe(200);
      expect(json(reply)).toMatchObject({ result: false, data: null });
      expect(field(json(reply), 'code')).not.toBe(0);
    }
    expect(s.ledger.payments()).toEqual([]);
  });

  test("'refuse' answers insufficient balance, pays nothing, lists nothing", async () => {
    const s = await start({ faults: { aurpay: fixedFault('refuse') } });
    const reply = await withdraw(s, { ln_invoices: makeInvoice('a-refuse', 1000n).invoice });
    expect(reply.status).toBe(200);
    expect(json(reply)).toEqual({ code: 10001, message: 'insufficient balance', data: null, result: false });
    expect(field(json(await list(s)), 'data', 'total')).toBe(0);
    expect(s.ledger.payments()).toEqual([]);
  });

  test('malformed requests are 400, bad or missing API-Key 401', async () => {
    const s = await start();
    const url = `${s.aurpayUrl}/api/bln/withdraw`;
    expect((await call(url, 'POST', { ...auth, 'content-type': 'application/json' }, '{"ln_invoices":')).status).toBe(400);
    expect((await call(url, 'POST', { ...auth, 'content-type': 'text/plain' }, '{}')).status).toBe(400);
    expect((await withdraw(s, { amount: '1' })).status).toBe(400);
    expect((await withdraw(s, { ln_invoices: 'x' }, { 'API-Key': 'wrong' })).status).toBe(401);
    expect((await withdraw(s, { ln_invoices: 'x' }, {})).status).toBe(401);
    expect((await call(`${s.aurpayUrl}/api/v2/tx`, 'GET', {})).status).toBe(401);
    expect(s.requestCounts().aurpay['POST /api/bln/withdraw']).toEqual({ '400': 3, '401': 2 });
  });
});

describe('aurpay transaction list', () => {
  test('pending_then_success: PENDING for pendingLookups list reads, then SUCCESS and only then paid', async () => {
    const s = await start({ faults: { aurpay: fixedFault('pending_then_success') }, pendingLookups: 2 });
    const inv = makeInvoice('a-pend', 2_000_000n);
    const submit = json(await withdraw(s, { ln_invoices: inv.invoice }));
    expect(field(submit, 'data', 'status')).toBe('PENDING');
    const txId = field(submit, 'data', 'tx_id');
    const statuses: unknown[] = [];
    for (let i = 0; i < 3; i += 1) {
      const rows = field(json(await list(s)), 'data', 'data');
      expect(Array.isArray(rows)).toBe(true);
      const row = (rows as unknown[])[0];
      expect(row).toMatchObject({ tx_id: txId, tx_type: 'WITHDRAW', to_addr: inv.invoice, tx_hash: inv.paymentHash, amount: '0.00002000', obtained: null, from_addr: null });
      statuses.push(field(row, 'status'));
      if (i < 2) expect(s.ledger.payments()).toEqual([]);
    }
    expect(statuses).toEqual(['PENDING', 'PENDING', 'SUCCESS']);
    expect(s.ledger.paymentsFor(inv.paymentHash)).toHaveLength(1);
  });

  test('pending_then_failure ends FAILED and the ledger records nothing', async () => {
    const s = await start({ faults: { aurpay: fixedFault('pending_then_failure') } });
    await withdraw(s, { ln_invoices: makeInvoice('a-fail', 3000n).invoice });
    const seen = [];
    for (let i = 0; i < 3; i += 1) seen.push(field((field(json(await list(s)), 'data', 'data') as unknown[])[0], 'status'));
    expect(seen).toEqual(['PENDING', 'FAILED', 'FAILED']);
    expect(s.ledger.payments()).toEqual([]);
  });

  test('pages newest first, honours size and caps it at lookupPageSize', async () => {
    const s = await start({ lookupPageSize: 4 });
    const hashes: string[] = [];
    for (let i = 0; i < 7; i += 1) {
      const inv = makeInvoice(`a-page-${i}`, BigInt(1000 * (i + 1)));
      hashes.push(inv.paymentHash);
      await withdraw(s, { ln_invoices: inv.invoice });
    }
    const page1 = json(await list(s, 'page=1&size=3'));
    expect(field(page1, 'data')).toMatchObject({ page: 1, size: 3, total: 7, max_page: 3 });
    expect((field(page1, 'data', 'data') as unknown[]).map((r) => field(r, 'tx_hash'))).toEqual([hashes[6], hashes[5], hashes[4]]);
    const page3 = json(await list(s, 'page=3&size=3'));
    expect((field(page3, 'data', 'data') as unknown[]).map((r) => field(r, 'tx_hash'))).toEqual([hashes[0]]);
    const capped = json(await list(s, 'page=2&size=50'));
    expect(field(capped, 'data')).toMatchObject({ page: 2, size: 4, total: 7, max_page: 2 });
    expect((field(capped, 'data', 'data') as unknown[])).toHaveLength(3);
    expect(field(json(await list(s, 'page=9')), 'data', 'data')).toEqual([]);
    expect((await list(s, 'page=0')).status).toBe(400);
    expect((await list(s, 'size=abc')).status).toBe(400);
  });
});
