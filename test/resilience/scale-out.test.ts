/**
 * Three worker processes on the same queues, 500 payouts under load and no crash: the work is
 * shared, and no withdrawal is ever submitted twice (one provider request per fenced attempt,
 * one payment per invoice).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { audit } from './audit.ts';
import { chaosFaults, makeItems, startStack, waitForBatch, type Stack } from './harness.ts';

const COUNT = 500;
/** Bounds the run if a payout's fate cannot be proven (it then ends needs_review). */
const EXPIRY_S = 45;

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ sandbox: { faults: { aurpay: chaosFaults(), turinpay: chaosFaults() }, latencyMs: 50 } });
});
afterAll(async () => stack?.close());

describe('three worker processes on one set of queues', () => {
  it(`share ${COUNT} payouts and never submit one twice`, async () => {
    const workers = await Promise.all(['w1', 'w2', 'w3'].map((n) => stack.startWorker(n)));
    const { items, hashes } = makeItems('scale', COUNT, EXPIRY_S);
    const res = await stack.call('POST', '/v1/batches', { id: 'scale-batch', items });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ accepted: COUNT, rejected: [] });

    const summary = await waitForBatch(stack, 'scale-batch', (EXPIRY_S + 40) * 1000);
    expect(summary.total).toBe(COUNT);
    const a = await audit(stack.store, stack.sandbox, hashes);
    const shares = workers.map((w) => w.count(/"msg":"submit finished"/));
    console.info(`scale-out suite: submits per worker ${shares.join('/')}; ${JSON.stringify(a.byStatus)}; ` +
      `${a.payments} payments, ${a.submitRequests} submit requests for ${a.fencedAttempts} fenced attempts`);
    expect(a.problems).toEqual([]);
    // No crash here, so every fenced attempt reached the provider exactly once.
    expect(a.submitRequests).toBe(a.fencedAttempts);
    for (const n of shares) expect(n).toBeGreaterThan(0);
    expect(summary.byStatus.succeeded ?? 0).toBeGreaterThan(COUNT / 2);
    expect(workers.every((w) => w.running())).toBe(true);
  }, 150_000);
});
