import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Fault, FaultPlan } from '../../src/providers/sandbox/index.ts';
import { withdrawalBody } from '../support/invoices.ts';
import { eventually, startPipeline, type Pipeline } from '../support/pipeline.ts';
import { deleteKeysUnder } from '../support/redis.ts';

/**
 * The real `withdrawals batch` command in a child process, against a sandbox and workers running in
 * this process under the same Redis prefix: the command only enqueues and watches. It runs with no
 * provider key in its environment: the workers tell it, through Redis, which providers they pay through.
 */
const BIN = fileURLToPath(new URL('../../bin/withdrawals.js', import.meta.url));
const planned = new Map<string, Fault>();
const plan: FaultPlan = { pick: (ctx) => planned.get(ctx.paymentHash) ?? 'none' };

let p: Pipeline;
let dir: string;
beforeAll(async () => {
  p = await startPipeline({ sandbox: { faults: { aurpay: plan, turinpay: plan } } });
  dir = await mkdtemp(join(tmpdir(), 'batch-cli-'));
});
afterAll(async () => {
  await p.close();
  await rm(dir, { recursive: true, force: true });
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The command's environment: Redis, prefix and network, and no provider key. */
function batchEnv(extraEnv: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    REDIS_URL: p.config.REDIS_URL,
    QUEUE_PREFIX: p.config.QUEUE_PREFIX,
    LN_NETWORK: 'regtest',
    LOG_LEVEL: 'error',
    ...extraEnv,
  };
}

function runBatch(args: string[], extraEnv: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, 'batch', ...args], { env: batchEnv(extraEnv), timeout: 40_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : null) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

function rows(n: number, amountMsat: bigint, fault: Fault = 'none') {
  return Array.from({ length: n }, (_, i) => {
    const { body, paymentHash } = withdrawalBody(i % 2 ? 'aurpay' : 'turinpay', amountMsat);
    planned.set(paymentHash, fault);
    return body;
  });
}

const HEADER = 'id,provider,invoice,address,amountMsat,description';
const csvLine = (b: { id: string; provider: string; invoice: string }) => `${b.id},${b.provider},${b.invoice},,,"cli, test"`;

describe('withdrawals batch FILE', () => {
  it('enqueues a CSV, waits for settlement, prints the report and exits 0', async () => {
    const file = join(dir, 'payouts.csv');
    const items = rows(6, 5_000_000n);
    await writeFile(file, `${HEADER}\n${items.map(csvLine).join('\n')}\n`);
    const run = await runBatch([file]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^batch file:payouts\.csv:[0-9a-f]{16}: 6 accepted, 0 accepted earlier, 0 refused$/m);
    expect(run.stdout).toMatch(/^succeeded\s+6\s+30000$/m);
    expect(run.stdout).toMatch(/^all terminal: yes$/m);
    // Without --producer the batch belongs to the producer `default`: operators see it, `tester` does not.
    expect((await p.operator('GET', `/v1/withdrawals/${items[0]?.id}`)).body).toMatchObject({ status: 'succeeded', description: 'cli, test', owner: 'default' });
    expect((await p.call('GET', `/v1/withdrawals/${items[0]?.id}`)).status).toBe(404);

    // The same file again joins the same batch and accepts nothing twice.
    const again = await runBatch([file]);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/: 0 accepted, 6 accepted earlier, 0 refused$/m);
    // Each of the six invoices paid once, through both runs.
    const invoices = new Set(items.map((b) => b.invoice));
    expect(p.sandbox.ledger.payments().filter((x) => invoices.has(x.invoice))).toHaveLength(6);
  });

  it('prints refused rows and failures and exits 1', async () => {
    const file = join(dir, 'mixed.csv');
    const [good] = rows(1, 4_000_000n);
    const [refusedByProvider] = rows(1, 3_000_000n, 'refuse');
    if (!good || !refusedByProvider) throw new Error('rows');
    await writeFile(file, [HEADER, csvLine(good), 'cli-bad-row,aurpay,lnbcrt1nonsense,,,', csvLine(refusedByProvider)].join('\n'));
    const run = await runBatch([file]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/: 2 accepted, 0 accepted earlier, 1 refused$/m);
    expect(run.stdout).toMatch(/^ {2}#1 {2}cli-bad-row {2}invalid_invoice {2}\S/m);
    expect(run.stdout).toMatch(/^succeeded\s+1\s+4000$/m);
    expect(run.stdout).toMatch(/^failed\s+1\s+3000$/m);
  });

  it('returns after enqueue with --no-wait, printing the batch id and counts (NDJSON), as the producer given by --producer', async () => {
    const file = join(dir, 'later.ndjson');
    const items = rows(3, 2_000_000n);
    await writeFile(file, `${items.map((b) => JSON.stringify(b)).join('\n')}\n`);
    const run = await runBatch([file, '--no-wait', '--producer', 'tester']);
    expect(run.code).toBe(0);
    const batchId = /^batch (\S+): 3 accepted, 0 accepted earlier, 0 refused$/m.exec(run.stdout)?.[1];
    expect(batchId).toMatch(/^file:tester:later\.ndjson:/);
    expect((await p.call('GET', `/v1/withdrawals/${items[0]?.id}`)).body.owner).toBe('tester');
    expect(run.stdout).not.toMatch(/all terminal/);
    const summary = await eventually(async () => {
      const s = (await p.call('GET', `/v1/batches/${batchId}`)).body;
      return s.done ? s : undefined;
    }, 20_000, 'the batch to settle in the workers');
    expect(summary.byStatus).toEqual({ succeeded: 3 });
  });

  it('prints the report as one JSON document with --json, and nothing else on stdout', async () => {
    const file = join(dir, 'report.csv');
    const [good] = rows(1, 4_000_000n);
    const [refusedByProvider] = rows(1, 3_000_000n, 'refuse');
    if (!good || !refusedByProvider) throw new Error('rows');
    await writeFile(file, [HEADER, csvLine(good), 'cli-json-bad,aurpay,lnbcrt1nonsense,,,', csvLine(refusedByProvider)].join('\n'));
    const run = await runBatch([file, '--json']);
    expect(run.code).toBe(1);
    expect(run.stdout.trimEnd().split('\n')).toHaveLength(1);
    const report = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(report).toEqual({
      batchId: expect.stringMatching(/^file:report\.csv:[0-9a-f]{16}$/),
      accepted: 2,
      duplicates: 0,
      refused: 1,
      rejected: [{ index: 1, id: 'cli-json-bad', error: { code: 'invalid_invoice', message: expect.any(String), issues: expect.any(Array) } }],
      total: 2,
      byStatus: { succeeded: 1, failed: 1 },
      amountMsatByStatus: { succeeded: '4000000', failed: '3000000' },
      done: true,
      seconds: expect.any(Number),
      enqueueSeconds: expect.any(Number),
      interrupted: false,
    });

    // --no-wait: the counts alone, no settlement.
    const later = await runBatch([file, '--json', '--no-wait']);
    expect(JSON.parse(later.stdout)).toMatchObject({ accepted: 0, duplicates: 2, refused: 1, total: null, byStatus: null, done: false });
  });

  it('keeps the money policy of its environment: the producer\'s daily count, in order', async () => {
    const file = join(dir, 'policy.ndjson');
    const items = rows(4, 2_000_000n);
    await writeFile(file, `${items.map((b) => JSON.stringify(b)).join('\n')}\n`);
    const run = await runBatch([file, '--no-wait', '--producer', 'policy-shop'], { LIMIT_DAILY_COUNT: '3' });
    expect(run.stdout).toMatch(/: 3 accepted, 0 accepted earlier, 1 refused$/m);
    expect(run.stdout).toMatch(/^ {2}#3 {2}\S+ {2}limit_exceeded {2}/m);
    // Items are taken in order: the fourth is the one past the day's count, and nothing of it is stored.
    expect((await p.operator('GET', `/v1/withdrawals/${items[3]?.id}`)).status).toBe(404);
  });

  it('holds a large item for approval when its environment says so', async () => {
    const file = join(dir, 'held.ndjson');
    const [large] = rows(1, 9_000_000n);
    await writeFile(file, `${JSON.stringify(large)}\n`);
    const run = await runBatch([file, '--no-wait', '--producer', 'held-shop'], { APPROVAL_THRESHOLD_MSAT: '9000000' });
    expect(run.code).toBe(0);
    expect((await p.operator('GET', `/v1/withdrawals/${large?.id}`)).body.status).toBe('awaiting_approval');
  });

  it('needs no provider key: the rows of the providers the service pays through succeed, a bad invoice is still invalid_invoice', async () => {
    const file = join(dir, 'keyless.csv');
    const items = rows(2, 1_500_000n);
    await writeFile(file, [HEADER, ...items.map(csvLine), 'cli-keyless-bad,turinpay,lnbcrt1nonsense,,,'].join('\n'));
    expect(Object.keys(batchEnv()).filter((k) => k.endsWith('_API_KEY'))).toEqual([]);
    const run = await runBatch([file]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/: 2 accepted, 0 accepted earlier, 1 refused$/m);
    expect(run.stdout).toMatch(/^ {2}#2 {2}cli-keyless-bad {2}invalid_invoice {2}\S/m);
    expect(run.stdout).toMatch(/^succeeded\s+2\s+3000$/m);
  });

  it('refuses with provider_disabled the rows of a provider the running service does not have', async () => {
    // A service with aurpay alone: turinpay's key is not set there.
    const only = await startPipeline({ env: { TURINPAY_API_KEY: '' } });
    try {
      const file = join(dir, 'one-provider.csv');
      const { body: aurpay } = withdrawalBody('aurpay', 2_500_000n);
      const { body: turinpay } = withdrawalBody('turinpay', 2_500_000n);
      await writeFile(file, [HEADER, csvLine(aurpay), csvLine(turinpay)].join('\n'));
      const run = await runBatch([file], { QUEUE_PREFIX: only.config.QUEUE_PREFIX });
      expect(run.stdout).toMatch(/: 1 accepted, 0 accepted earlier, 1 refused$/m);
      expect(run.stdout).toMatch(new RegExp(`^ {2}#1 {2}${turinpay.id} {2}provider_disabled {2}provider turinpay is disabled`, 'm'));
      expect(run.stdout).toMatch(/^succeeded\s+1\s+2500$/m);
      expect(run.code).toBe(1);
      expect((await only.operator('GET', `/v1/withdrawals/${turinpay.id}`)).status).toBe(404);
    } finally {
      await only.close();
    }
  });

  it('with no worker running, enqueues for the providers its own keys name, and with none either, says what to start (exit 1)', async () => {
    const prefix = `batch-idle-${Date.now()}`;
    const file = join(dir, 'idle.ndjson');
    const [item] = rows(1, 1_000_000n);
    await writeFile(file, `${JSON.stringify(item)}\n`);
    try {
      const bare = await runBatch([file, '--no-wait'], { QUEUE_PREFIX: prefix });
      expect(bare.code).toBe(1);
      expect(bare.stdout).toBe('');
      expect(bare.stderr).toMatch(new RegExp(`no worker under QUEUE_PREFIX=${prefix} has named the providers it pays through in the last 30 s, and no provider key is set here: start the service`));

      const keyed = await runBatch([file, '--no-wait'], { QUEUE_PREFIX: prefix, AURPAY_API_KEY: 'sandbox-aurpay-key-1', TURINPAY_API_KEY: 'sandbox-turinpay-key-1' });
      expect(keyed.stderr).toMatch(/no worker is running under QUEUE_PREFIX=\S+: enqueuing for the providers this environment has keys for \(aurpay, turinpay\)/);
      expect(keyed.stdout).toMatch(/: 1 accepted, 0 accepted earlier, 0 refused$/m);
      expect(keyed.code).toBe(0);
    } finally {
      await deleteKeysUnder(p.config.REDIS_URL, prefix);
    }
  });

  it('refuses a producer name it cannot record (a usage error: exit 2)', async () => {
    const file = join(dir, 'named.ndjson');
    await writeFile(file, `${JSON.stringify(rows(1, 1_000_000n)[0])}\n`);
    const run = await runBatch([file, '--producer', 'two words']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--producer "two words" must be 1-64 characters/);
  });

  it('refuses a file it cannot tell the format of (a usage error: exit 2)', async () => {
    const run = await runBatch([join(dir, 'payouts.txt')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/name it \.csv/);
  });
});
