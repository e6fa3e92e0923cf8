import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedFault } from '../../src/providers/sandbox/index.ts';
import { withdrawalBody } from '../support/invoices.ts';
import { eventually, startPipeline, type Pipeline } from '../support/pipeline.ts';
import { redisUrl } from '../support/redis.ts';

let p: Pipeline;
beforeAll(async () => {
  // API only in this process; the worker that submits is a separate process we kill.
  p = await startPipeline({ workers: false, sandbox: { faults: { turinpay: fixedFault('hang_after_payment') } } });
});
/** Every worker spawned here: one a failed test left running is killed before the pipeline closes. */
const children: ChildProcess[] = [];
afterAll(async () => {
  await Promise.all(
    children
      .filter((c) => c.exitCode === null && c.signalCode === null)
      .map((c) => {
        const exited = new Promise((r) => c.once('exit', r));
        c.kill('SIGKILL');
        return exited;
      }),
  );
  await p.close();
});

function spawnWorker(extraEnv: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, ['bin/withdrawals.js', 'worker', '--provider', 'turinpay'], {
    env: {
      PATH: process.env.PATH ?? '',
      REDIS_URL: redisUrl(),
      QUEUE_PREFIX: p.config.QUEUE_PREFIX,
      LN_NETWORK: 'regtest',
      TURINPAY_BASE_URL: p.sandbox.turinpayUrl,
      TURINPAY_API_KEY: 'sandbox-turinpay-key-1',
      SUBMIT_LOCK_MS: '2000',
      SETTLE_POLL_MS: '100',
      SWEEP_EVERY_MS: '500',
      LOG_LEVEL: 'warn',
      ...extraEnv,
    },
    stdio: 'ignore',
  });
  children.push(child);
  return child;
}

describe('a worker killed with SIGKILL while submitting', () => {
  it('leaves the withdrawal unknown, reconciles it to succeeded, and pays once', async () => {
    const { body, paymentHash } = withdrawalBody('turinpay');
    expect((await p.call('POST', '/v1/withdrawals', body)).status).toBe(202);

    // The provider takes the payment and never answers: the worker sits in `submitting`.
    const doomed = spawnWorker({ PROVIDER_TIMEOUT_MS: '60000' });
    await eventually(async () => ((await p.runtime.store.read(body.id))?.status === 'submitting' ? true : undefined), 20_000, 'submitting');
    await eventually(async () => (p.sandbox.ledger.paymentsFor(paymentHash).length === 1 ? true : undefined), 10_000, 'payment made');
    const exited = new Promise((r) => doomed.once('exit', r));
    doomed.kill('SIGKILL');
    await exited;

    // From now on the provider answers normally, so a wrongful resubmission would pay again.
    p.sandbox.setFaults('turinpay', fixedFault('none'));
    const survivor = spawnWorker({ PROVIDER_TIMEOUT_MS: '1000' });
    try {
      const rec = await eventually(async () => {
        const r = (await p.call('GET', `/v1/withdrawals/${body.id}`)).body;
        return r.status === 'succeeded' ? r : undefined;
      }, 40_000, 'reconciled to succeeded');
      const statuses = (rec.history as { status: string }[]).map((h) => h.status);
      expect(statuses).toEqual(['queued', 'submitting', 'unknown', 'succeeded']);
      expect(rec.attempts).toBe(1);
      expect(p.sandbox.ledger.paymentsFor(paymentHash)).toHaveLength(1);
    } finally {
      const gone = new Promise<number | null>((r) => survivor.once('exit', (code) => r(code)));
      survivor.kill('SIGTERM');
      // A clean stop on SIGTERM exits 0.
      expect(await gone).toBe(0);
    }
  });
});
