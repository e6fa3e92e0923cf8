/**
 * A refusal envelope does not prove that nothing was paid. A provider that paid and then refused
 * (`refuse_after_payment`), or that refuses an invoice it paid earlier (`already_paid`), must leave
 * the withdrawal `succeeded` with that provider, found by a lookup, and the next provider is never
 * asked. A genuine refusal still fails over (or fails) as before.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Fault, FaultPlan, SandboxProvider } from '../../src/providers/sandbox/index.ts';
import type { HistoryEntry } from '../../src/withdrawals/types.ts';
import { withdrawalBody } from '../support/invoices.ts';
import { eventually, startPipeline, type Pipeline } from '../support/pipeline.ts';

/** The fault each provider gives each invoice, by `provider:paymentHash`. */
const planned = new Map<string, Fault>();
const plan: FaultPlan = { pick: (ctx) => planned.get(`${ctx.provider}:${ctx.paymentHash}`) ?? 'none' };

let p: Pipeline;
beforeAll(async () => {
  p = await startPipeline({
    sandbox: { faults: { aurpay: plan, turinpay: plan } },
    env: { AUTO_PROVIDER_ORDER: 'aurpay,turinpay' },
  });
});
afterAll(async () => p?.close());
beforeEach(async () => {
  await p.runtime.queues.settle.resume();
});

const SETTLED = ['succeeded', 'failed', 'needs_review', 'cancelled'];
const get = async (id: string) => (await p.call('GET', `/v1/withdrawals/${id}`)).body;

async function until(id: string, statuses: string[], timeoutMs = 20_000) {
  return eventually(async () => {
    const rec = await get(id);
    return statuses.includes(rec.status) ? rec : undefined;
  }, timeoutMs, `${id} to reach ${statuses.join('|')}`);
}

/** Posts a withdrawal (`provider` may be `auto`) whose invoice gets `faults` at each provider. */
async function post(provider: 'auto' | SandboxProvider, faults: Partial<Record<SandboxProvider, Fault>>) {
  const { body, paymentHash } = withdrawalBody('aurpay', 25_000_000n, { provider });
  for (const [name, fault] of Object.entries(faults)) planned.set(`${name}:${paymentHash}`, fault);
  const res = await p.call('POST', '/v1/withdrawals', body);
  expect(res.status).toBe(202);
  return { id: body.id, invoice: body.invoice, paymentHash };
}

const payers = (paymentHash: string) => p.sandbox.ledger.paymentsFor(paymentHash).map((x) => x.provider);

describe('refuse_after_payment: aurpay paid, then answered its refusal envelope', () => {
  it('routed auto: ends succeeded with aurpay, found by a lookup; turinpay never receives it', async () => {
    const { id, paymentHash } = await post('auto', { aurpay: 'refuse_after_payment' });
    const rec = await until(id, SETTLED);
    expect(p.sandbox.submitsFor(paymentHash)).toEqual({ aurpay: 1, turinpay: 0 });
    expect(payers(paymentHash)).toEqual(['aurpay']);
    expect(rec).toMatchObject({ status: 'succeeded', provider: 'aurpay' });
    expect(rec.providerRef).toBeTruthy();
  });

  it('named aurpay: ends succeeded, not failed', async () => {
    const { id, paymentHash } = await post('aurpay', { aurpay: 'refuse_after_payment' });
    const rec = await until(id, SETTLED);
    expect(rec).toMatchObject({ status: 'succeeded', provider: 'aurpay' });
    expect(payers(paymentHash)).toEqual(['aurpay']);
  });

  it('named turinpay: ends succeeded, not failed', async () => {
    const { id, paymentHash } = await post('turinpay', { turinpay: 'refuse_after_payment' });
    const rec = await until(id, SETTLED);
    expect(rec).toMatchObject({ status: 'succeeded', provider: 'turinpay' });
    expect(payers(paymentHash)).toEqual(['turinpay']);
  });
});

describe('already_paid: aurpay refuses an invoice it paid earlier', () => {
  it('after an operator resubmit of a withdrawal whose first attempt paid: ends succeeded, not failed', async () => {
    // The first attempt pays and never answers; settlement is held, and the attempt goes to
    // needs_review as if reconciliation had run out of budget. An operator then resubmits it.
    await p.runtime.queues.settle.pause();
    const { id, paymentHash } = await post('aurpay', { aurpay: 'hang_after_payment' });
    await until(id, ['unknown']);
    expect((await p.runtime.store.transition(id, { from: 'unknown', to: 'needs_review', cause: 'test: reconciliation budget spent' })).ok).toBe(true);
    await p.runtime.queues.settle.resume();
    planned.set(`aurpay:${paymentHash}`, 'already_paid');
    p.sandbox.setFaults('aurpay', plan);

    const res = await p.operator('POST', `/v1/withdrawals/${id}/resolve`, { outcome: 'resubmit', note: 'aurpay shows no payment' });
    expect(res.status).toBe(200);
    const rec = await until(id, ['succeeded', 'failed', 'cancelled']);
    expect(p.sandbox.submitsFor(paymentHash)).toEqual({ aurpay: 2, turinpay: 0 });
    expect(payers(paymentHash)).toEqual(['aurpay']);
    expect(rec).toMatchObject({ status: 'succeeded', provider: 'aurpay' });
    expect(rec.history.map((h: HistoryEntry) => h.status)).toContain('needs_review');
  });

  it('routed auto, resent for an invoice aurpay already paid: ends succeeded with aurpay; turinpay never receives it', async () => {
    // Aurpay paid this invoice before (a request whose record did not survive); the producer sends it again.
    const { body, paymentHash } = withdrawalBody('aurpay', 25_000_000n, { provider: 'auto' });
    planned.set(`aurpay:${paymentHash}`, 'already_paid');
    const earlier = await fetch(`${p.sandbox.aurpayUrl}/api/bln/withdraw`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'API-Key': 'sandbox-aurpay-key-1' },
      body: JSON.stringify({ ln_invoices: body.invoice }),
    });
    expect(earlier.status).toBe(200);
    expect(payers(paymentHash)).toEqual(['aurpay']);

    expect((await p.call('POST', '/v1/withdrawals', body)).status).toBe(202);
    const rec = await until(body.id, SETTLED);
    expect(p.sandbox.submitsFor(paymentHash)).toEqual({ aurpay: 2, turinpay: 0 });
    expect(payers(paymentHash)).toEqual(['aurpay']);
    expect(rec).toMatchObject({ status: 'succeeded', provider: 'aurpay' });
  });
});

describe('a genuine refusal (nothing paid)', () => {
  it('routed auto: fails over to turinpay, which pays it once', async () => {
    const { id, paymentHash } = await post('auto', { aurpay: 'refuse' });
    const rec = await until(id, SETTLED);
    expect(rec).toMatchObject({ status: 'succeeded', provider: 'turinpay' });
    expect(rec.history.map((h: HistoryEntry) => h.cause ?? '')).toContainEqual(expect.stringMatching(/^failover from aurpay \(refused: /));
    expect(p.sandbox.submitsFor(paymentHash)).toEqual({ aurpay: 1, turinpay: 1 });
    expect(payers(paymentHash)).toEqual(['turinpay']);
  });

  it('named aurpay: ends failed, nothing paid', async () => {
    const { id, paymentHash } = await post('aurpay', { aurpay: 'refuse' });
    const rec = await until(id, SETTLED);
    expect(rec).toMatchObject({ status: 'failed', provider: 'aurpay' });
    expect(rec.failure?.code).toMatch(/^provider_/);
    expect(payers(paymentHash)).toEqual([]);
    expect(p.sandbox.submitsFor(paymentHash)).toEqual({ aurpay: 1, turinpay: 0 });
  });
});
