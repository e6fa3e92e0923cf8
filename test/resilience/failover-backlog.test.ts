/**
 * Failover under a backlog: a batch of `provider: "auto"` withdrawals is posted while aurpay is out
 * of balance, so every one is refused by aurpay and fails over to turinpay, and the worker
 * processes are restarted mid-batch (a deploy). The backlog is older than the sweep's orphan
 * threshold, so the sweep walks aurpay's queued list while withdrawals leave it for turinpay. No
 * invoice may reach aurpay twice, none may be paid twice, and none may fail before turinpay
 * (which has the balance) was asked.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceProcess } from '../support/processes.ts';
import { makeItems, sleep, startStack, waitForBatch, type Stack } from './harness.ts';

const COUNT = 300;
const RESTARTS = 2;
const WORKER_ARGS = ['--concurrency', '8'];
/** Longer than the sweep's orphan threshold (about 1.2 s with SETTLE_POLL_MS=100): the backlog ages past it. */
const DOWNTIME_MS = 2000;

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({
    sandbox: { latencyMs: 20 },
    // Aurpay refuses fast and turinpay pays one at a time: the failed-over withdrawals queue up for turinpay.
    env: { AUTO_PROVIDER_ORDER: 'aurpay,turinpay', SWEEP_EVERY_MS: '250', TURINPAY_CONCURRENCY: '1' },
  });
  stack.sandbox.setBalance('aurpay', 0n);
});
afterAll(async () => stack?.close());

describe('auto failover with a backlog, workers restarted mid-batch', () => {
  it(`sends each of ${COUNT} invoices to aurpay at most once, pays each once, fails none turinpay was not asked`, async () => {
    const workers: ServiceProcess[] = await Promise.all([stack.startWorker('worker-a', WORKER_ARGS), stack.startWorker('worker-b', WORKER_ARGS)]);
    const made = makeItems('backlog', COUNT, 300);
    const items = made.items.map((item) => ({ ...item, provider: 'auto' }));
    const res = await stack.call('POST', '/v1/batches', { id: 'backlog-batch', items });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ accepted: COUNT, rejected: [] });

    // A deploy: the workers stop gracefully while the batch waits, and new ones start after the
    // backlog is older than the orphan threshold. Their first sweeps walk aurpay's queued list
    // while the new workers drain it to turinpay.
    for (let r = 0; r < RESTARTS; r++) {
      await sleep(r === 0 ? 200 : 800);
      await Promise.all(workers.map((w) => w.stop('SIGTERM')));
      await sleep(DOWNTIME_MS);
      const names = workers.map((w) => `${w.name.replace(/-\d+$/, '')}-${r + 1}`);
      workers.splice(0, workers.length, ...(await Promise.all(names.map((n) => stack.startWorker(n, WORKER_ARGS)))));
    }

    const summary = await waitForBatch(stack, 'backlog-batch', 45_000);
    expect(summary.total).toBe(COUNT);

    const resentToAurpay: string[] = [];
    const notTerminal: string[] = [];
    const disagreeing: string[] = [];
    const failedUnasked: string[] = [];
    for (const [id, hash] of made.hashes) {
      const rec = await stack.store.get(id);
      const submits = stack.sandbox.submitsFor(hash);
      const paid = stack.sandbox.ledger.paymentsFor(hash);
      if (submits.aurpay > 1) resentToAurpay.push(`${id}: aurpay received it ${submits.aurpay} times (record: ${rec?.status} under ${rec?.provider})`);
      if (!rec || !['succeeded', 'failed', 'cancelled'].includes(rec.status)) notTerminal.push(`${id}: ${rec?.status ?? 'missing'}`);
      if (rec?.status === 'succeeded') {
        const payer = paid[0];
        if (paid.length !== 1 || payer?.provider !== rec.provider || payer.providerRef !== rec.providerRef) {
          disagreeing.push(`${id}: succeeded under ${rec.provider} (${rec.providerRef}) but the ledger shows ${JSON.stringify(paid.map((p) => [p.provider, p.providerRef]))}`);
        }
      }
      if (rec?.status === 'failed' && submits.turinpay === 0) failedUnasked.push(`${id}: failed, turinpay never asked (${rec.failure?.message ?? ''})`);
    }
    const report = (list: string[]) => `${list.length}: ${list.slice(0, 5).join('; ')}`;
    console.info(`failover backlog: ${JSON.stringify(summary.byStatus)}; ${stack.sandbox.ledger.payments().length} payments; ` +
      `resent to aurpay ${report(resentToAurpay)}; failed unasked ${report(failedUnasked)}`);

    expect(resentToAurpay.length, `sent to aurpay again ${report(resentToAurpay)}`).toBe(0);
    expect(stack.sandbox.ledger.duplicates()).toEqual([]);
    expect(notTerminal.length, `not terminal ${report(notTerminal)}`).toBe(0);
    expect(disagreeing.length, `disagree with the ledger ${report(disagreeing)}`).toBe(0);
    expect(failedUnasked.length, `failed before turinpay was asked ${report(failedUnasked)}`).toBe(0);
    // Aurpay paid nothing: every payout went through turinpay.
    expect(stack.sandbox.ledger.payments().filter((p) => p.provider === 'aurpay')).toEqual([]);
  }, 90_000);
});
