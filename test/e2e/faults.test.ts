import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Fault, FaultPlan } from '../../src/providers/sandbox/index.ts';
import { isTerminal, type Status } from '../../src/withdrawals/status.ts';
import { withdrawalBody } from '../support/invoices.ts';
import { eventually, startPipeline, type Pipeline } from '../support/pipeline.ts';

/** Each invoice gets the fault the test registered for its payment hash. */
const planned = new Map<string, Fault>();
const plan: FaultPlan = { pick: (ctx) => planned.get(ctx.paymentHash) ?? 'none' };

let p: Pipeline;
beforeAll(async () => {
  p = await startPipeline({ sandbox: { faults: { aurpay: plan, turinpay: plan } } });
});
afterAll(async () => p.close());

async function payThrough(provider: 'aurpay' | 'turinpay', fault: Fault) {
  const { body, paymentHash } = withdrawalBody(provider);
  planned.set(paymentHash, fault);
  const res = await p.call('POST', '/v1/withdrawals', body);
  expect(res.status).toBe(202);
  const rec = await eventually(async () => {
    const r = await p.call('GET', `/v1/withdrawals/${body.id}`);
    return isTerminal(r.body.status as Status) ? r.body : undefined;
  }, 20_000, `${provider}/${fault} to settle`);
  return { rec, paymentHash, paid: p.sandbox.ledger.paymentsFor(paymentHash).length, statuses: (rec.history as { status: string }[]).map((h) => h.status) };
}

const cases: { fault: Fault; status: Status; paid: number; via?: Status }[] = [
  { fault: 'none', status: 'succeeded', paid: 1 },
  { fault: 'pending_then_success', status: 'succeeded', paid: 1, via: 'submitted' },
  { fault: 'pending_then_failure', status: 'failed', paid: 0, via: 'submitted' },
  { fault: 'refuse', status: 'failed', paid: 0 },
  { fault: 'error_after_payment', status: 'succeeded', paid: 1, via: 'unknown' },
  { fault: 'hang_after_payment', status: 'succeeded', paid: 1, via: 'unknown' },
  { fault: 'reset_after_payment', status: 'succeeded', paid: 1, via: 'unknown' },
  { fault: 'malformed_body', status: 'succeeded', paid: 1, via: 'unknown' },
  { fault: 'rate_limit', status: 'succeeded', paid: 1 },
  { fault: 'rate_limit_no_retry_after', status: 'succeeded', paid: 1 },
];

describe.each(['aurpay', 'turinpay'] as const)('%s through the sandbox', (provider) => {
  it.each(cases)('$fault ends $status with $paid payment(s)', async ({ fault, status, paid, via }) => {
    const r = await payThrough(provider, fault);
    expect(r.rec.status).toBe(status);
    expect(r.paid).toBe(paid);
    if (via) expect(r.statuses).toContain(via);
    if (fault.startsWith('rate_limit')) {
      // Not sent the first time: back to queued, then one more attempt.
      expect(r.statuses.filter((s) => s === 'submitting')).toHaveLength(2);
      expect(r.rec.attempts).toBe(2);
    }
    if (status === 'failed') expect(r.rec.failure?.code).toMatch(/^provider_/);
  });
});

describe('auth error', () => {
  it('puts the withdrawal back to queued, pauses the provider and logs why, paying nothing', async () => {
    const { body, paymentHash } = withdrawalBody('turinpay');
    planned.set(paymentHash, 'auth_error');
    expect((await p.call('POST', '/v1/withdrawals', body)).status).toBe(202);
    await eventually(async () => ((await p.runtime.queues.submitQueue('turinpay').isPaused()) ? true : undefined), 10_000, 'queue paused');
    const rec = (await p.call('GET', `/v1/withdrawals/${body.id}`)).body;
    expect(rec.status).toBe('queued');
    expect(p.sandbox.ledger.paymentsFor(paymentHash)).toHaveLength(0);
    expect(p.logLines.some((l) => l.includes('provider refused our credentials'))).toBe(true);
    // Fixing the credentials and resuming lets it through, once.
    planned.set(paymentHash, 'none');
    p.sandbox.setFaults('turinpay', plan);
    await p.runtime.queues.submitQueue('turinpay').resume();
    const done = await eventually(async () => {
      const r = (await p.call('GET', `/v1/withdrawals/${body.id}`)).body;
      return r.status === 'succeeded' ? r : undefined;
    }, 20_000, 'resumed withdrawal to succeed');
    expect(done.status).toBe('succeeded');
    expect(p.sandbox.ledger.paymentsFor(paymentHash)).toHaveLength(1);
  });
});

describe('every fault at once, on both providers', () => {
  it('pays no invoice twice, even after the sweeps that follow', async () => {
    const all = (['aurpay', 'turinpay'] as const).flatMap((provider) => cases.map((c) => ({ provider, ...c })));
    const results = await Promise.all(all.map(async (c) => ({ ...c, ...(await payThrough(c.provider, c.fault)) })));
    expect(results.map((r) => `${r.provider}/${r.fault}: ${r.rec.status}`)).toEqual(all.map((c) => `${c.provider}/${c.fault}: ${c.status}`));
    // A wrongful second payment would come from a later retry or sweep (SWEEP_EVERY_MS=500).
    await new Promise((r) => setTimeout(r, 1500));
    const hashes = new Set(results.map((r) => r.paymentHash));
    expect(p.sandbox.ledger.duplicates().filter((h) => hashes.has(h))).toEqual([]);
    expect(results.map((r) => `${r.provider}/${r.fault}: paid ${p.sandbox.ledger.paymentsFor(r.paymentHash).length}`)).toEqual(
      all.map((c) => `${c.provider}/${c.fault}: paid ${c.paid}`),
    );
  });
});
