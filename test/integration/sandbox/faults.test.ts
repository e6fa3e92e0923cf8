import { request } from 'undici';
import { afterEach, describe, expect, test } from 'vitest';
import { faultMix, fixedFault, startSandbox, type Fault, type Sandbox, type SandboxOptions } from '../../../src/providers/sandbox/index.ts';
import { AURPAY_KEY, call, field, json, makeInvoice, makeInvoiceWithParity, postJson, TURINPAY_KEY } from './helpers.ts';

let sandbox: Sandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

async function start(options: Partial<SandboxOptions> = {}): Promise<Sandbox> {
  sandbox = await startSandbox({ aurpay: { apiKey: AURPAY_KEY }, turinpay: { apiKey: TURINPAY_KEY }, ...options });
  return sandbox;
}

function both(fault: Fault): Partial<SandboxOptions> {
  return { faults: { aurpay: fixedFault(fault), turinpay: fixedFault(fault) } };
}

const aurpaySubmit = (s: Sandbox, invoice: string) =>
  postJson(`${s.aurpayUrl}/api/bln/withdraw`, { 'API-Key': AURPAY_KEY }, { ln_invoices: invoice });
const turinpaySubmit = (s: Sandbox, invoice: string) =>
  postJson(`${s.turinpayUrl}/withdrawals`, { 'X-API-Key': TURINPAY_KEY }, { address: invoice });

describe('faults after payment', () => {
  test('error_after_payment: paid, then 500 JSON (odd hash) or 502 HTML (even hash); the tx is still listed as SUCCESS', async () => {
    const s = await start(both('error_after_payment'));
    const odd = makeInvoiceWithParity('f-err-odd', 1000n, true);
    const even = makeInvoiceWithParity('f-err-even', 1000n, false);
    const a1 = await aurpaySubmit(s, odd.invoice);
    expect(a1.status).toBe(500);
    expect(json(a1)).toMatchObject({ result: false });
    const a2 = await aurpaySubmit(s, even.invoice);
    expect(a2.status).toBe(502);
    expect(a2.text).toContain('<html>');
    const t1 = await turinpaySubmit(s, odd.invoice);
    expect(t1.status).toBe(500);
    expect(json(t1)).toMatchObject({ success: false });
    expect((await turinpaySubmit(s, even.invoice)).status).toBe(502);
    expect(s.ledger.payments()).toHaveLength(4);
    expect(new Set(s.ledger.duplicates())).toEqual(new Set([odd.paymentHash, even.paymentHash]));
    const rows = field(json(await call(`${s.aurpayUrl}/api/v2/tx`, 'GET', { 'API-Key': AURPAY_KEY })), 'data', 'data') as unknown[];
    expect(rows.map((r) => field(r, 'status'))).toEqual(['SUCCESS', 'SUCCESS']);
    const found = await call(`${s.turinpayUrl}/withdrawals?id=${odd.paymentHash}`, 'GET', { 'X-API-Key': TURINPAY_KEY });
    expect(field(json(found), 'data', 'status')).toBe('PAID');
  });

  test('malformed_body: paid, then 200 with a body that does not parse', async () => {
    const s = await start(both('malformed_body'));
    for (const odd of [true, false]) {
      const inv = makeInvoiceWithParity(`f-mal-${odd}`, 1000n, odd);
      for (const reply of [await aurpaySubmit(s, inv.invoice), await turinpaySubmit(s, inv.invoice)]) {
        expect(reply.status).toBe(200);
        expect(() => JSON.parse(reply.text)).toThrow();
      }
    }
    expect(s.ledger.payments()).toHaveLength(4);
  });

  test('reset_after_payment: paid, then the connection is reset without an answer', async () => {
    const s = await start(both('reset_after_payment'));
    const inv = makeInvoice('f-reset', 1000n);
    await expect(aurpaySubmit(s, inv.invoice)).rejects.toThrow();
    await expect(turinpaySubmit(s, inv.invoice)).rejects.toThrow();
    expect(s.ledger.paymentsFor(inv.paymentHash).map((p) => p.provider)).toEqual(['aurpay', 'turinpay']);
    expect(s.requestCounts().aurpay['POST /api/bln/withdraw']).toEqual({ reset: 1 });
  });

  test('hang_after_payment: paid, never answers; the client times out; close() finishes promptly', async () => {
    const s = await start(both('hang_after_payment'));
    const inv = makeInvoice('f-hang', 1000n);
    const timedOut = request(`${s.turinpayUrl}/withdrawals`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'X-API-Key': TURINPAY_KEY },
      body: JSON.stringify({ address: inv.invoice }),
      headersTimeout: 200,
    });
    await expect(timedOut).rejects.toThrow();
    const stuck = aurpaySubmit(s, inv.invoice).then(
      () => 'answered',
      () => 'failed',
    );
    await new Promise((r) => setTimeout(r, 100));
    expect(s.ledger.paymentsFor(inv.paymentHash)).toHaveLength(2);
    const started = Date.now();
    await s.close();
    expect(Date.now() - started).toBeLessThan(1000);
    expect(await stuck).toBe('failed');
    expect(s.requestCounts().aurpay['POST /api/bln/withdraw']).toEqual({ hang: 1 });
  });
});

describe('faults before payment', () => {
  test('rate_limit: 429 Retry-After: 1 once, nothing paid; the next submit of that invoice pays', async () => {
    const s = await start(both('rate_limit'));
    const inv = makeInvoice('f-429', 1000n);
    for (const submit of [aurpaySubmit, turinpaySubmit]) {
      const first = await submit(s, inv.invoice);
      expect(first.status).toBe(429);
      expect(first.headers['retry-after']).toBe('1');
    }
    expect(s.ledger.payments()).toEqual([]);
    expect(field(json(await aurpaySubmit(s, inv.invoice)), 'data', 'status')).toBe('SUCCESS');
    expect((await turinpaySubmit(s, inv.invoice)).status).toBe(200);
    expect(s.ledger.paymentsFor(inv.paymentHash)).toHaveLength(2);
  });

  test('rate_limit_no_retry_after: 429 without the header', async () => {
    const s = await start(both('rate_limit_no_retry_after'));
    const inv = makeInvoice('f-429-bare', 1000n);
    const reply = await turinpaySubmit(s, inv.invoice);
    expect(reply.status).toBe(429);
    expect(reply.headers['retry-after']).toBeUndefined();
    expect((await aurpaySubmit(s, inv.invoice)).headers['retry-after']).toBeUndefined();
    expect(s.ledger.payments()).toEqual([]);
  });

  test('auth_error: 401 even with the right key, nothing paid', async () => {
    const s = await start(both('auth_error'));
    const inv = makeInvoice('f-401', 1000n);
    expect((await aurpaySubmit(s, inv.invoice)).status).toBe(401);
    expect((await turinpaySubmit(s, inv.invoice)).status).toBe(401);
    expect(s.ledger.payments()).toEqual([]);
  });
});

describe('plans, limits and latency', () => {
  test('faultMix gives an invoice the same fault on both providers and remembers it; setFaults starts afresh', async () => {
    const s = await start({ faults: { aurpay: faultMix({ none: 1, refuse: 1 }), turinpay: faultMix({ none: 1, refuse: 1 }) } });
    for (let i = 0; i < 6; i += 1) {
      const inv = makeInvoice(`f-mix-${i}`, 1000n);
      const a = json(await aurpaySubmit(s, inv.invoice)).result === true;
      const t = (await turinpaySubmit(s, inv.invoice)).status === 200;
      expect(t).toBe(a);
      expect(json(await aurpaySubmit(s, inv.invoice)).result === true).toBe(a);
    }
    s.setFaults('aurpay', fixedFault('refuse'));
    const inv = makeInvoice('f-mix-after', 1000n);
    expect(json(await aurpaySubmit(s, inv.invoice))).toMatchObject({ code: 10001 });
  });

  test('rateLimitPerSecond: a token bucket per provider answers 429 with Retry-After when empty', async () => {
    const s = await start({ rateLimitPerSecond: 3 });
    const statuses: number[] = [];
    let retryAfter: unknown;
    for (let i = 0; i < 5; i += 1) {
      const reply = await call(`${s.aurpayUrl}/api/v2/tx`, 'GET', { 'API-Key': AURPAY_KEY });
      statuses.push(reply.status);
      if (reply.status === 429) retryAfter = reply.headers['retry-after'];
    }
    expect(statuses.slice(0, 3)).toEqual([200, 200, 200]);
    expect(statuses.slice(3)).toEqual([429, 429]);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
    const other = await call(`${s.turinpayUrl}/withdrawals?id=ab`, 'GET', { 'X-API-Key': TURINPAY_KEY });
    expect(other.status).toBe(404);
  });

  test('latencyMs delays answers', async () => {
    const s = await start({ latencyMs: 150 });
    const started = Date.now();
    await call(`${s.aurpayUrl}/api/v2/tx`, 'GET', { 'API-Key': AURPAY_KEY });
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });
});
