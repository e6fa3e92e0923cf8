import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { payeeInvoice } from '../../src/demo/payee.ts';
import type { Fault, FaultPlan } from '../../src/providers/sandbox/index.ts';
import { submitJobId } from '../../src/queues/names.ts';
import type { HistoryEntry } from '../../src/withdrawals/types.ts';
import { withdrawalBody } from '../support/invoices.ts';
import { eventually, startPipeline, type Pipeline } from '../support/pipeline.ts';

const planned = new Map<string, Fault>();
const plan: FaultPlan = { pick: (ctx) => planned.get(ctx.paymentHash) ?? 'none' };

let p: Pipeline;
beforeAll(async () => {
  p = await startPipeline({
    // A pending payment stays pending (for 1000 lookups): reconciliation cannot prove an outcome.
    sandbox: { faults: { aurpay: plan, turinpay: plan }, pendingLookups: 1000 },
    env: { RECONCILE_GRACE_MS: '0', INVOICE_EXPIRY_MARGIN_S: '0' },
  });
});
afterAll(async () => p.close());

const get = async (id: string) => (await p.call('GET', `/v1/withdrawals/${id}`)).body;
const lastEntry = (rec: { history: HistoryEntry[] }) => rec.history[rec.history.length - 1];

async function until(id: string, status: string, timeoutMs = 15_000) {
  return eventually(async () => {
    const rec = await get(id);
    return rec.status === status ? rec : undefined;
  }, timeoutMs, `${id} to be ${status}`);
}

/** A withdrawal accepted while its provider is paused, so it stays queued until the test resumes it. */
async function queuedWhilePaused(provider: 'aurpay' | 'turinpay') {
  await p.runtime.queues.submitQueue(provider).pause();
  const { body, paymentHash } = withdrawalBody(provider);
  expect((await p.call('POST', '/v1/withdrawals', body)).status).toBe(202);
  return { id: body.id, paymentHash };
}

async function submitJobResult(provider: 'aurpay' | 'turinpay', id: string, round = 0) {
  return eventually(async () => {
    const job = await p.runtime.queues.submitQueue(provider).getJob(submitJobId(id, round));
    return job?.finishedOn ? job.returnvalue : undefined;
  }, 10_000, `submit job of ${id} to finish`);
}

describe('POST /v1/withdrawals/:id/cancel', () => {
  it('cancels a queued withdrawal, records who and why, and nothing is ever sent', async () => {
    const { id, paymentHash } = await queuedWhilePaused('turinpay');
    const res = await p.call('POST', `/v1/withdrawals/${id}/cancel`, { note: 'payee asked to stop' });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('cancelled');
    expect(lastEntry(res.body)).toMatchObject({ status: 'cancelled', actor: 'tester', note: 'payee asked to stop' });

    const again = await p.call('POST', `/v1/withdrawals/${id}/cancel`);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('invalid_state');

    await p.runtime.queues.submitQueue('turinpay').resume();
    expect(await submitJobResult('turinpay', id)).toBe('skipped: cancelled');
    expect(p.sandbox.ledger.paymentsFor(paymentHash)).toHaveLength(0);
    expect((await get(id)).status).toBe('cancelled');
  });

  it('refuses once the withdrawal has left queued (409 invalid_state), and 404 for an unknown id', async () => {
    const { body } = withdrawalBody('turinpay');
    expect((await p.call('POST', '/v1/withdrawals', body)).status).toBe(202);
    await until(body.id, 'succeeded');
    const res = await p.call('POST', `/v1/withdrawals/${body.id}/cancel`, {});
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('invalid_state');
    expect((await get(body.id)).status).toBe('succeeded');
    expect((await p.call('POST', '/v1/withdrawals/no-such-withdrawal/cancel')).status).toBe(404);
  });

  it('needs the bearer token', async () => {
    const res = await p.call('POST', '/v1/withdrawals/x/cancel', {}, { authorization: 'Bearer wrong-token-123' });
    expect(res.status).toBe(401);
  });
});

describe('POST /v1/withdrawals/:id/resolve', () => {
  it('takes a withdrawal reconciliation could not prove to needs_review; the operator marks it failed', async () => {
    // Expires in ~3 s; with no grace, reconciliation gives up right after while the provider still says pending.
    const { invoice, paymentHash } = payeeInvoice({ network: 'regtest', amountMsat: 5_000_000n, expirySeconds: 3 });
    planned.set(paymentHash, 'pending_then_failure');
    const id = `review-${Date.now()}`;
    expect((await p.call('POST', '/v1/withdrawals', { id, provider: 'aurpay', invoice })).status).toBe(202);
    const review = await until(id, 'needs_review', 20_000);
    expect(review.failure.code).toBe('reconciliation_exhausted');
    expect(review.history.map((h: HistoryEntry) => h.status)).toContain('submitted');

    const bad = await p.operator('POST', `/v1/withdrawals/${id}/resolve`, { outcome: 'failed' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('invalid_request');
    const wrong = await p.operator('POST', `/v1/withdrawals/${id}/resolve`, { outcome: 'lost', note: 'x' });
    expect(wrong.status).toBe(400);

    const res = await p.operator('POST', `/v1/withdrawals/${id}/resolve`, { outcome: 'failed', note: 'Aurpay support: never sent (ticket 42)' });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('failed');
    expect(lastEntry(res.body)).toMatchObject({
      status: 'failed',
      actor: 'ops',
      note: 'Aurpay support: never sent (ticket 42)',
      cause: 'resolved by operator: failed',
    });
    const twice = await p.operator('POST', `/v1/withdrawals/${id}/resolve`, { outcome: 'succeeded', note: 'changed my mind' });
    expect(twice.status).toBe(409);
    expect(twice.body.error.code).toBe('invalid_state');
    expect(p.sandbox.ledger.paymentsFor(paymentHash)).toHaveLength(0);
  });

  it('refuses a withdrawal that is not in needs_review (409), and 404 for an unknown id', async () => {
    const { id } = await queuedWhilePaused('aurpay');
    const res = await p.operator('POST', `/v1/withdrawals/${id}/resolve`, { outcome: 'succeeded', note: 'looks paid' });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('invalid_state');
    expect((await get(id)).status).toBe('queued');
    await p.runtime.queues.submitQueue('aurpay').resume();
    await until(id, 'succeeded');
    expect((await p.operator('POST', '/v1/withdrawals/nope/resolve', { outcome: 'failed', note: 'x' })).status).toBe(404);
  });

  it('resubmit puts it back to queued and it is paid exactly once', async () => {
    // A needs_review record whose payment provably never left: the state is set through the store.
    const { id, paymentHash } = await queuedWhilePaused('turinpay');
    const store = p.runtime.store;
    expect((await store.transition(id, { from: 'queued', to: 'submitting', newFence: 'test-fence', cause: 'test' })).ok).toBe(true);
    expect((await store.transition(id, { from: 'submitting', to: 'unknown', fence: 'test-fence', cause: 'test: lost' })).ok).toBe(true);
    expect((await store.transition(id, { from: 'unknown', to: 'needs_review', cause: 'test: budget spent' })).ok).toBe(true);
    await p.runtime.queues.submitQueue('turinpay').resume();
    expect(await submitJobResult('turinpay', id)).toBe('skipped: needs_review');
    expect(p.sandbox.ledger.paymentsFor(paymentHash)).toHaveLength(0);

    const res = await p.operator('POST', `/v1/withdrawals/${id}/resolve`, { outcome: 'resubmit', note: 'TurinPay has no record of it' });
    expect(res.status).toBe(200);
    const requeued = res.body.history.find((h: HistoryEntry) => h.cause === 'resolved by operator: resubmit');
    expect(requeued).toMatchObject({ status: 'queued', actor: 'ops', note: 'TurinPay has no record of it' });

    const done = await until(id, 'succeeded');
    expect(done.history.map((h: HistoryEntry) => h.status).slice(-4)).toEqual(['needs_review', 'queued', 'submitting', 'succeeded']);
    expect(await submitJobResult('turinpay', id, 1)).toBe('succeeded');
    // A sweep or two later, still exactly one payment.
    await new Promise((r) => setTimeout(r, 1200));
    expect(p.sandbox.ledger.paymentsFor(paymentHash)).toHaveLength(1);
    expect((await get(id)).status).toBe('succeeded');
    expect((await p.operator('POST', `/v1/withdrawals/${id}/resolve`, { outcome: 'resubmit', note: 'again' })).status).toBe(409);
  });
});
