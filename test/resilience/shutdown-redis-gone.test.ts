/**
 * SIGTERM after Redis died: `withdrawals start`, `worker` and `api` still exit 0 within seconds,
 * after the in-flight provider call had its PROVIDER_TIMEOUT_MS, with one line saying what they
 * gave up on. (A dead Redis used to keep them waiting for a reconnect until a SIGKILL.)
 */
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { payeeInvoice } from '../../src/demo/payee.ts';
import { freePort } from '../../src/demo/redis-server.ts';
import { startSandbox, type Sandbox } from '../../src/providers/sandbox/index.ts';
import { callApi } from '../support/http.ts';
import { spawnWithdrawals, startApiProcess, startWorkerProcess, stopAllProcesses, type Exit, type ServiceProcess } from '../support/processes.ts';
import { startRedisServer, type PrivateRedis } from '../support/redis-server.ts';

const TOKEN = 'shutdown-token-0001';
const PROVIDER_TIMEOUT_MS = 2000;
const GAVE_UP = /"msg":"shutdown: gave up waiting for Redis/;

let redis: PrivateRedis | undefined;
let sandbox: Sandbox | undefined;
afterEach(async () => {
  await stopAllProcesses();
  await sandbox?.close();
  await redis?.stop();
  if (redis) rmSync(redis.dir, { recursive: true, force: true });
  redis = undefined;
  sandbox = undefined;
});

/** A private Redis and sandboxes whose every payment is made and then never answered. */
async function setUp(): Promise<Record<string, string>> {
  redis = await startRedisServer();
  sandbox = await startSandbox({
    network: 'regtest',
    aurpay: { apiKey: 'sandbox-aurpay-key-s' },
    turinpay: { apiKey: 'sandbox-turinpay-key-s' },
    faults: { aurpay: { pick: () => 'hang_after_payment' }, turinpay: { pick: () => 'hang_after_payment' } },
  });
  return {
    REDIS_URL: redis.url,
    QUEUE_PREFIX: `stop-${randomUUID().slice(0, 8)}`,
    API_TOKENS: `tester=${TOKEN}`,
    LN_NETWORK: 'regtest',
    AURPAY_BASE_URL: sandbox.aurpayUrl,
    AURPAY_API_KEY: 'sandbox-aurpay-key-s',
    TURINPAY_BASE_URL: sandbox.turinpayUrl,
    TURINPAY_API_KEY: 'sandbox-turinpay-key-s',
    PROVIDER_TIMEOUT_MS: String(PROVIDER_TIMEOUT_MS),
    LOG_LEVEL: 'info',
  };
}

/** Sends one payout and resolves once the provider has paid it: the call now hangs in flight. */
async function payoutInFlight(baseUrl: string): Promise<number> {
  const { invoice } = payeeInvoice({ network: 'regtest', amountMsat: 21_000_000n, expirySeconds: 3600 });
  const res = await callApi(baseUrl, TOKEN, 'POST', '/v1/withdrawals', { id: `stop-${randomUUID()}`, provider: 'turinpay', invoice });
  expect(res.status).toBe(202);
  const deadline = Date.now() + 15_000;
  while (sandbox?.ledger.payments().length === 0) {
    if (Date.now() > deadline) throw new Error('the provider was never called');
    await new Promise((r) => setTimeout(r, 20));
  }
  return Date.now();
}

/** SIGTERM, then the exit and how long it took (SIGKILL after 30 s, which fails the test). */
async function terminate(proc: ServiceProcess): Promise<{ exit: Exit; at: number; ms: number }> {
  const sent = Date.now();
  const exit = await proc.stop('SIGTERM', 30_000);
  return { exit, at: Date.now(), ms: Date.now() - sent };
}

async function startProcess(env: Record<string, string>): Promise<{ proc: ServiceProcess; baseUrl: string }> {
  const port = await freePort();
  const proc = spawnWithdrawals('start', ['start'], { ...env, HOST: '127.0.0.1', PORT: String(port) });
  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  while (!(await fetch(`${baseUrl}/readyz`).then((r) => r.ok, () => false))) {
    if (!proc.running() || Date.now() > deadline) throw new Error(`start never got ready:\n${proc.lines.slice(-20).join('\n')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { proc, baseUrl };
}

describe('SIGTERM once Redis is gone', () => {
  it('withdrawals start exits 0 within 10 s, after its in-flight provider call timed out, saying what it gave up on', async () => {
    const env = await setUp();
    const { proc, baseUrl } = await startProcess(env);
    const paidAt = await payoutInFlight(baseUrl);
    await redis?.stop();

    const { exit, at, ms } = await terminate(proc);
    expect(exit).toEqual({ code: 0, signal: null });
    expect(ms).toBeLessThan(10_000);
    // The call that hung was given its whole timeout before the process went away.
    expect(at - paidAt).toBeGreaterThanOrEqual(PROVIDER_TIMEOUT_MS - 300);
    const line = JSON.parse(await proc.waitForLine(GAVE_UP, 0)) as { gaveUp: string[] };
    expect(line.gaveUp).toContain('worker jobs');
    expect(proc.count(GAVE_UP)).toBe(1);
    expect(proc.count(/"msg":"stopped without waiting for Redis \(exit 0\)"/)).toBe(1);
  }, 90_000);

  it('withdrawals worker and withdrawals api exit 0 within 10 s, the worker after its in-flight call timed out', async () => {
    const env = await setUp();
    const api = await startApiProcess('api', env);
    const worker = await startWorkerProcess('worker', env);
    const paidAt = await payoutInFlight(api.baseUrl);
    await redis?.stop();

    const [w, a] = await Promise.all([terminate(worker), terminate(api.proc)]);
    expect(w.exit).toEqual({ code: 0, signal: null });
    expect(w.ms).toBeLessThan(10_000);
    expect(w.at - paidAt).toBeGreaterThanOrEqual(PROVIDER_TIMEOUT_MS - 300);
    expect((JSON.parse(await worker.waitForLine(GAVE_UP, 0)) as { gaveUp: string[] }).gaveUp).toContain('worker jobs');

    expect(a.exit).toEqual({ code: 0, signal: null });
    expect(a.ms).toBeLessThan(10_000);
    expect(api.proc.count(/"msg":"stopped/)).toBe(1);
  }, 90_000);
});
