/**
 * Two worker processes SIGKILLed at random moments while 300 payouts go through both providers
 * (faults, pending payments, latency so kills land mid-call). Nothing may be paid twice, nothing
 * lost, and every record must agree with what the providers actually paid.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceProcess } from '../support/processes.ts';
import { audit } from './audit.ts';
import { between, chaosFaults, makeItems, sleep, startStack, waitForBatch, type Stack } from './harness.ts';

const COUNT = 300;
const KILLS = 4;
/** A payout killed before its request left never shows up at the provider: it waits out its invoice. */
const EXPIRY_S = 40;

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ sandbox: { faults: { aurpay: chaosFaults(), turinpay: chaosFaults() }, latencyMs: 250 } });
});
afterAll(async () => stack?.close());

describe('worker processes killed with SIGKILL mid-batch', () => {
  it(`settle ${COUNT} payouts with no double payment and none lost`, async () => {
    const workers: ServiceProcess[] = await Promise.all([stack.startWorker('worker-a', ['--concurrency', '2']), stack.startWorker('worker-b', ['--concurrency', '2'])]);
    const { items, hashes } = makeItems('crash', COUNT, EXPIRY_S);
    const res = await stack.call('POST', '/v1/batches', { id: 'crash-batch', items });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ accepted: COUNT, rejected: [] });

    const kills: string[] = [];
    for (let k = 0; k < KILLS; k++) {
      await sleep(between(500, 1500));
      const slot = k % 2;
      const victim = workers[slot];
      if (!victim) throw new Error('no worker to kill');
      const submitting = (await stack.store.countByStatus(['aurpay', 'turinpay'] as const));
      const inFlight = submitting.aurpay.submitting + submitting.turinpay.submitting;
      const exit = await victim.stop('SIGKILL');
      expect(exit.signal).toBe('SIGKILL');
      kills.push(`${victim.name}@${inFlight} submitting`);
      await sleep(between(0, 500));
      workers[slot] = await stack.startWorker(`${victim.name.replace(/-\d+$/, '')}-${k + 1}`, ['--concurrency', '2']);
    }

    const summary = await waitForBatch(stack, 'crash-batch', (EXPIRY_S + 40) * 1000);
    const a = await audit(stack.store, stack.sandbox, hashes);
    console.info(`crash suite: kills ${kills.join(', ')}; ${JSON.stringify(a.byStatus)}; ${a.payments} payments, ` +
      `${a.submitRequests} submit requests for ${a.fencedAttempts} fenced attempts, ${a.workerLost} attempts lost with a worker`);
    expect(a.problems).toEqual([]);
    expect(summary.total).toBe(COUNT);
    expect(Object.values(summary.byStatus).reduce((s, n) => s + n, 0)).toBe(COUNT);
    expect(summary.byStatus.succeeded ?? 0).toBeGreaterThan(COUNT / 2);
    // The kills landed while provider calls were in flight, at least once.
    expect(a.workerLost).toBeGreaterThan(0);
  }, 150_000);
});
