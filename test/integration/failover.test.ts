import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { payeeInvoice } from '../../src/demo/payee.ts';
import type { Fault, FaultPlan } from '../../src/providers/sandbox/index.ts';
import type { HistoryEntry } from '../../src/withdrawals/types.ts';
import { withdrawalBody } from '../support/invoices.ts';
import { eventually, startPipeline, type Pipeline } from '../support/pipeline.ts';

/** `provider: "auto"`, aurpay first (AUTO_PROVIDER_ORDER), turinpay next. */
const planned = new Map<string, Fault>();
const plan: FaultPlan = { pick: (ctx) => planned.get(`${ctx.provider}:${ctx.paymentHash}`) ?? 'none' };

let p: Pipeline;
beforeAll(async () => {
  p = await startPipeline({
    sandbox: { faults: { aurpay: plan, turinpay: plan } },
    env: { AUTO_PROVIDER_ORDER: 'aurpay,turinpay', SUBMIT_ATTEMPTS: '2' },
  });
});
afterAll(async () => p.close());
beforeEach(async () => {
  p.sandbox.setBalance('aurpay', 2_100_000_000_000_000_000n);
  await p.runtime.queues.submitQueue('aurpay').resume();
});

const get = async (id: string) => (await p.call('GET', `/v1/withdrawals/${id}`)).body;
async function settled(id: string) {
  return eventually(async () => {
    const rec = await get(id);
    return ['succeeded', 'failed', 'needs_review'].includes(rec.status) ? rec : undefined;
  }, 20_000, `${id} to settle`);
}
const causes = (rec: { history: HistoryEntry[] }) => rec.history.map((h) => h.cause ?? '');

async function auto(amountMsat = 5_000_000n) {
  const { body, paymentHash } = withdrawalBody('aurpay', amountMsat, { provider: 'auto' });
  const res = await p.call('POST', '/v1/withdrawals', body);
  expect(res.status).toBe(202);
  return { id: body.id, paymentHash, record: res.body };
}

async function failovers(): Promise<number> {
  const text = await (await fetch(`${p.baseUrl}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith('withdrawals_failovers_total{from="aurpay",to="turinpay"}'));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

describe('provider "auto"', () => {
  it('routes to the first provider of the order and names the choice in the history', async () => {
    const { id, record } = await auto();
    expect(record.provider).toBe('aurpay');
    expect(record.history[0].cause).toBe('accepted; routed to aurpay (auto: aurpay > turinpay)');
    expect((await settled(id)).status).toBe('succeeded');
  });

  it('fails over to the next provider when the first is out of balance, keeping the withdrawal and invoice, paying once', async () => {
    const before = await failovers();
    p.sandbox.setBalance('aurpay', 0n);
    const { id, paymentHash } = await auto();
    const rec = await settled(id);
    expect(rec.status).toBe('succeeded');
    expect(rec.provider).toBe('turinpay');
    expect(rec.invoice).toBeTruthy();
    expect(causes(rec)).toContainEqual(expect.stringMatching(/^failover from aurpay \(refused: insufficient balance.*\) to turinpay$/));
    const payments = p.sandbox.ledger.paymentsFor(paymentHash);
    expect(payments).toHaveLength(1);
    expect(payments[0]?.provider).toBe('turinpay');
    // A scrape may be answered from a rendering up to a second old: wait for the next one.
    expect(await eventually(async () => ((await failovers()) === before + 1 ? true : undefined), 5_000, 'the failover counted')).toBe(true);
  });

  it('never fails over after an unknown outcome: reconciliation settles it with the first provider', async () => {
    const { invoice, paymentHash } = payeeInvoice({ network: 'regtest', amountMsat: 3_000_000n });
    planned.set(`aurpay:${paymentHash}`, 'error_after_payment');
    const id = `auto-unknown-${Date.now()}`;
    expect((await p.call('POST', '/v1/withdrawals', { id, provider: 'auto', invoice })).status).toBe(202);
    const rec = await settled(id);
    expect(rec).toMatchObject({ status: 'succeeded', provider: 'aurpay' });
    expect(rec.history.map((h: HistoryEntry) => h.status)).toContain('unknown');
    expect(causes(rec).some((c) => c.startsWith('failover'))).toBe(false);
    expect(p.sandbox.ledger.paymentsFor(paymentHash)).toHaveLength(1);
  });

  it('fails when no provider of its route is left: an amountless invoice only aurpay can pay', async () => {
    p.sandbox.setBalance('aurpay', 0n);
    const { invoice, paymentHash } = payeeInvoice({ network: 'regtest', amountMsat: null });
    const id = `auto-amountless-${Date.now()}`;
    const res = await p.call('POST', '/v1/withdrawals', { id, provider: 'auto', invoice, amountMsat: '2000000' });
    expect(res.body.history[0].cause).toBe('accepted; routed to aurpay (auto: aurpay)');
    const rec = await settled(id);
    expect(rec).toMatchObject({ status: 'failed', provider: 'aurpay' });
    expect(p.sandbox.ledger.paymentsFor(paymentHash)).toHaveLength(0);
  });

  it('routes around a provider whose submissions are paused (breaker open)', async () => {
    await p.runtime.queues.submitQueue('aurpay').pause();
    const { id, record } = await auto();
    expect(record.provider).toBe('turinpay');
    expect(record.history[0].cause).toBe('accepted; routed to turinpay (auto: aurpay > turinpay; skipped aurpay: submissions paused)');
    expect((await settled(id)).status).toBe('succeeded');
  });

  it('does not fail over a withdrawal that named its provider', async () => {
    p.sandbox.setBalance('aurpay', 0n);
    const { body, paymentHash } = withdrawalBody('aurpay', 5_000_000n);
    expect((await p.call('POST', '/v1/withdrawals', body)).status).toBe(202);
    const rec = await settled(body.id);
    expect(rec).toMatchObject({ status: 'failed', provider: 'aurpay' });
    expect(p.sandbox.ledger.paymentsFor(paymentHash)).toHaveLength(0);
  });

  // Last in the file: refused credentials leave aurpay's submissions paused.
  it('does not fail over on refused credentials: the provider pauses and the withdrawal waits for it, sent nowhere else', async () => {
    const { invoice, paymentHash } = payeeInvoice({ network: 'regtest', amountMsat: 4_000_000n });
    planned.set(`aurpay:${paymentHash}`, 'auth_error');
    const id = `auto-auth-${Date.now()}`;
    expect((await p.call('POST', '/v1/withdrawals', { id, provider: 'auto', invoice })).status).toBe(202);
    await eventually(async () => ((await p.runtime.queues.submitQueue('aurpay').isPaused()) ? true : undefined), 20_000);
    const rec = (await p.call('GET', `/v1/withdrawals/${id}`)).body;
    expect(rec).toMatchObject({ status: 'queued', provider: 'aurpay' });
    expect(causes(rec).some((c) => c.startsWith('failover'))).toBe(false);
    expect(p.sandbox.submitsFor(paymentHash).turinpay).toBe(0);
    expect(p.sandbox.ledger.paymentsFor(paymentHash)).toHaveLength(0);
  });
});
