/**
 * `withdrawals invoice --sat N` prints an invoice the sandbox pays; `start` without `--sandbox` says
 * which network and providers it pays real money on; `--sandbox` goes with `start` alone.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/demo/redis-server.ts';
import { decodeInvoice } from '../../src/invoices/index.ts';
import { spawnWithdrawals, type ServiceProcess } from '../support/processes.ts';
import { redisUrl, uniquePrefix } from '../support/redis.ts';

const BIN = fileURLToPath(new URL('../../bin/withdrawals.js', import.meta.url));

function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH ?? '' }, timeout: 30_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : null) : 0, stdout, stderr });
    });
  });
}

const started: ServiceProcess[] = [];
afterAll(async () => {
  for (const p of started) await p.stop();
});

describe('withdrawals invoice --sat N', () => {
  it('prints one fresh signed regtest invoice of N sat, a new payment hash each time', async () => {
    const [a, b] = await Promise.all([cli(['invoice', '--sat', '360']), cli(['invoice', '--sat', '360'])]);
    expect(a.code).toBe(0);
    expect(a.stdout.trim().split('\n')).toHaveLength(1);
    const first = decodeInvoice(a.stdout.trim());
    const second = decodeInvoice(b.stdout.trim());
    expect(first).toMatchObject({ network: 'regtest', amountMsat: 360_000n });
    expect(first.expiresAt).toBeGreaterThan(Date.now() / 1000 + 3000);
    expect(first.paymentHash).not.toBe(second.paymentHash);
  });

  it.each([[['invoice']], [['invoice', '--sat', '0']], [['invoice', '--sat', '1.5']], [['invoice', '--sat', '2100000000000001']], [['api', '--sandbox']]])(
    'exits 2 on %j',
    async (args) => {
      const run = await cli(args);
      expect(run.code).toBe(2);
      expect(run.stdout).toBe('');
    },
  );
});

describe('withdrawals start without --sandbox', () => {
  it('warns at start-up that it pays real money, naming the network and the providers', async () => {
    const proc = spawnWithdrawals('start', ['start'], {
      REDIS_URL: redisUrl(),
      QUEUE_PREFIX: uniquePrefix('real'),
      PORT: String(await freePort()),
      API_TOKENS: 'shop=shop-token-00001',
      TURINPAY_API_KEY: 'a-turinpay-key-never-called',
    });
    started.push(proc);
    const line = JSON.parse(await proc.waitForLine(/paying real money/, 30_000));
    expect(line).toMatchObject({ level: 40, network: 'bitcoin', providers: ['turinpay'], msg: 'paying real money: LN_NETWORK=bitcoin, through TurinPay' });
    const workers = JSON.parse(await proc.waitForLine(/"msg":"workers started"/, 30_000));
    expect(workers.providers).toEqual(['turinpay']);
  });
});
