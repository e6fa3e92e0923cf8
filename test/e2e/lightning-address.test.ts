import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeInvoice } from '../../src/invoices/decode.ts';
import { fixedFault, type FaultPlan } from '../../src/providers/sandbox/index.ts';
import { eventually, startPipeline, type Pipeline } from '../support/pipeline.ts';

/**
 * Lightning Address withdrawals end to end against the sandbox's loopback LNURL-pay server: resolved
 * once in the worker, paid through either provider, and every misbehaving server ending `failed` with
 * its code and nothing sent.
 */

let p: Pipeline;
beforeAll(async () => {
  p = await startPipeline({
    sandbox: { lnurl: { slowMs: 3000, flakyFailures: 2 } },
    env: { LNURL_ALLOW_PRIVATE: 'true', LNURL_TIMEOUT_MS: '800', LNURL_RESOLVE_DEADLINE_MS: '4000', INVOICE_EXPIRY_MARGIN_S: '60' },
  });
});
afterAll(async () => p.close());

const FINAL = ['succeeded', 'failed', 'cancelled', 'needs_review'];

async function settled(id: string, within = 20_000): Promise<any> {
  return eventually(async () => {
    const res = await p.call('GET', `/v1/withdrawals/${id}`);
    return FINAL.includes(res.body.status) ? res.body : undefined;
  }, within, `${id} final`);
}

function pay(id: string, lightningAddress: string, provider = 'aurpay', amountMsat = '21000') {
  return p.call('POST', '/v1/withdrawals', { id, provider, lightningAddress, amountMsat });
}

describe('paying a Lightning Address', () => {
  it.each(['aurpay', 'turinpay'])('resolves it once and pays the invoice through %s', async (provider) => {
    const name = `alice-${provider}`;
    const created = await pay(`la-ok-${provider}`, p.sandbox.lnurl.address(name), provider);
    expect(created.status).toBe(202);
    const rec = await settled(`la-ok-${provider}`);
    expect(rec.status).toBe('succeeded');
    expect(rec.lightningAddress).toBe(p.sandbox.lnurl.address(name));
    const [minted] = p.sandbox.lnurl.invoices(name);
    expect(rec.invoice).toBe(minted);
    expect(rec.paymentHash).toBe(decodeInvoice(minted ?? '').paymentHash);
    expect(p.sandbox.lnurl.requests(name)).toEqual({ payRequests: 1, callbacks: 1 });
    expect(p.sandbox.ledger.paymentsFor(rec.paymentHash)).toHaveLength(1);
    expect(rec.history.some((h: { cause?: string }) => /resolved to an invoice of 21000 msat.*description hash matches/.test(h.cause ?? ''))).toBe(true);
  });

  it('pays an lnurl1... string, routed auto', async () => {
    const created = await pay('la-lnurl', p.sandbox.lnurl.lnurl('bob'), 'auto', '50000');
    expect(created.status).toBe(202);
    const rec = await settled('la-lnurl');
    expect(rec.status).toBe('succeeded');
    expect(p.sandbox.ledger.paymentsFor(rec.paymentHash)[0]?.amountMsat).toBe(50_000n);
  });

  it('answers a replay 200 and resolves nothing again', async () => {
    const address = p.sandbox.lnurl.address('replayed');
    expect((await pay('la-replay', address)).status).toBe(202);
    await settled('la-replay');
    const again = await pay('la-replay', address);
    expect(again.status).toBe(200);
    expect(again.body.status).toBe('succeeded');
    expect(p.sandbox.lnurl.requests('replayed')).toEqual({ payRequests: 1, callbacks: 1 });
  });

  it('records a description hash that does not match the metadata, and pays anyway', async () => {
    await pay('la-desc', p.sandbox.lnurl.address('other_description'));
    const rec = await settled('la-desc');
    expect(rec.status).toBe('succeeded');
    expect(rec.history.some((h: { cause?: string }) => /description hash does not match/.test(h.cause ?? ''))).toBe(true);
  });

  it('keeps trying a flaky server and pays once it answers', async () => {
    await pay('la-flaky', p.sandbox.lnurl.address('flaky'));
    const rec = await settled('la-flaky');
    expect(rec.status).toBe('succeeded');
    expect(p.sandbox.lnurl.requests('flaky')).toEqual({ payRequests: 3, callbacks: 1 });
  });

  it('after an unknown provider answer calls the callback exactly once and pays at most once', async () => {
    const name = 'carol';
    // The provider pays the invoice carol's server minted, then answers 500: the outcome is unknown.
    const plan: FaultPlan = { pick: ({ invoice }) => (p.sandbox.lnurl.invoices(name).includes(invoice) ? 'error_after_payment' : 'none') };
    p.sandbox.setFaults('aurpay', plan);
    try {
      await pay('la-unknown', p.sandbox.lnurl.address(name));
      const rec = await settled('la-unknown');
      expect(rec.history.map((h: { status: string }) => h.status)).toContain('unknown');
      expect(rec.status).toBe('succeeded');
      expect(p.sandbox.lnurl.requests(name)).toEqual({ payRequests: 1, callbacks: 1 });
      expect(p.sandbox.ledger.paymentsFor(rec.paymentHash)).toHaveLength(1);
    } finally {
      p.sandbox.setFaults('aurpay', fixedFault('none'));
    }
  });
});

describe('a server that misbehaves ends the withdrawal failed, nothing sent', () => {
  async function closedPort(): Promise<number> {
    const s = createServer();
    await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
    const port = (s.address() as { port: number }).port;
    await new Promise((resolve) => s.close(resolve));
    return port;
  }

  it.each([
    ['an error status', 'http_error', 'lnurl_invalid'],
    ['{"status":"ERROR"}', 'refuse', 'lnurl_refused'],
    ['an invoice for another amount', 'wrong_amount', 'lnurl_invalid'],
    ['an invoice of another network', 'wrong_network', 'lnurl_invalid'],
    ['an invoice expiring within the margin', 'expired', 'lnurl_invalid'],
    ['an amount outside minSendable..maxSendable', 'bounds', 'lnurl_invalid'],
    ['a redirect', 'redirect', 'lnurl_invalid'],
    ['a body over 64 KiB', 'oversized', 'lnurl_invalid'],
    ['no payRequest', 'not_pay_request', 'lnurl_invalid'],
    ['answers slower than LNURL_TIMEOUT_MS', 'slow', 'lnurl_unreachable'],
    ['nothing but 503', 'server_error', 'lnurl_unreachable'],
  ])('%s: %s -> %s', async (_what, account, code) => {
    const id = `la-bad-${account}`;
    expect((await pay(id, p.sandbox.lnurl.address(account))).status).toBe(202);
    const rec = await settled(id);
    expect(rec.status).toBe('failed');
    expect(rec.failure.code).toBe(code);
    expect(rec.invoice).toBeNull();
    expect(rec.attempts).toBe(0);
    for (const invoice of p.sandbox.lnurl.invoices(account)) expect(p.sandbox.ledger.paymentsFor(decodeInvoice(invoice).paymentHash)).toEqual([]);
    if (code === 'lnurl_refused') expect(rec.failure.message).toContain('this account takes no payments');
  });

  it('an unreachable server -> lnurl_unreachable', async () => {
    const port = await closedPort();
    await pay('la-bad-unreachable', `dave@127.0.0.1:${port}`);
    const rec = await settled('la-bad-unreachable');
    expect(rec).toMatchObject({ status: 'failed', invoice: null, attempts: 0 });
    expect(rec.failure.code).toBe('lnurl_unreachable');
  });

  it('an invoice another withdrawal already holds -> lnurl_invalid, the first one paid once', async () => {
    await pay('la-reused-1', p.sandbox.lnurl.address('reused'));
    const first = await settled('la-reused-1');
    expect(first.status).toBe('succeeded');
    await pay('la-reused-2', p.sandbox.lnurl.address('reused'));
    const second = await settled('la-reused-2');
    expect(second.status).toBe('failed');
    expect(second.failure.code).toBe('lnurl_invalid');
    expect(second.failure.message).toMatch(/payment hash another withdrawal already uses/);
    expect(p.sandbox.ledger.paymentsFor(first.paymentHash)).toHaveLength(1);
  });

  it('moves straight from queued to failed: no provider call, nothing paid, the amount given back to the day', async () => {
    const paidBefore = p.sandbox.ledger.totalPaidMsat();
    const usedBefore = (await p.call('GET', '/v1/limits')).body;
    await pay('la-straight', p.sandbox.lnurl.address('refuse'));
    const rec = await settled('la-straight');
    expect(rec.history.map((h: { status: string }) => h.status)).toEqual(['queued', 'failed']);
    expect(p.sandbox.ledger.totalPaidMsat()).toBe(paidBefore);
    const usedAfter = (await p.call('GET', '/v1/limits')).body;
    expect(usedAfter.amountMsat.used).toBe(usedBefore.amountMsat.used);
    expect(usedAfter.count.used).toBe(usedBefore.count.used);
  });
});

describe('metrics', () => {
  it('count resolutions by outcome', async () => {
    const text = await (await fetch(`${p.baseUrl}/metrics`)).text();
    const count = (outcome: string) => Number(text.split('\n').find((l) => l.startsWith(`withdrawals_lnurl_resolutions_total{outcome="${outcome}"}`))?.split(' ').at(-1) ?? NaN);
    expect(count('resolved')).toBeGreaterThanOrEqual(6);
    expect(count('lnurl_refused')).toBeGreaterThanOrEqual(2);
    expect(count('lnurl_unreachable')).toBeGreaterThanOrEqual(3);
    expect(count('lnurl_invalid')).toBeGreaterThanOrEqual(8);
    expect(count('lnurl_forbidden')).toBe(0);
  });
});
