import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { deleteKeysUnder, redisUrl } from '../support/redis.ts';

const run = promisify(execFile);

/** The prefixes of the demos run, from their first line: their keys are deleted after each test. */
const prefixes: string[] = [];
afterEach(async () => {
  for (const prefix of prefixes.splice(0)) await deleteKeysUnder(redisUrl(), prefix);
});

/** `withdrawals demo <args>` on the test Redis, noting its prefix whether it succeeds or not. */
async function demo(args: string[]): Promise<{ stdout: string; stderr: string }> {
  const note = (out: { stdout?: string; stderr?: string }) => {
    const prefix = /QUEUE_PREFIX=(\S+)/.exec(`${out.stdout ?? ''}\n${out.stderr ?? ''}`)?.[1];
    if (prefix) prefixes.push(prefix);
    return prefix;
  };
  try {
    const out = await run(process.execPath, ['bin/withdrawals.js', 'demo', ...args], {
      env: { PATH: process.env.PATH ?? '', REDIS_URL: redisUrl() },
      timeout: 120_000,
    });
    if (!note(out)) throw new Error('the demo printed no QUEUE_PREFIX=... line: the keys it wrote cannot be found and deleted');
    return out;
  } catch (err) {
    note(err as { stdout?: string; stderr?: string });
    throw err;
  }
}

describe('withdrawals demo', () => {
  it('settles every payout of its batch through both sandboxes with faults on, and reports it', async () => {
    const { stdout } = await demo(['--count', '120', '--timeout', '90']);
    expect(stdout).toMatch(/batch demo-batch-\w+: 120 payouts/);
    expect(stdout).toContain('all terminal: yes');
    expect(stdout).toMatch(/provider ledger: \d+ payments made, 0 invoices paid twice/);
    expect(stdout).toContain('records agree with the ledger: yes');
    const succeeded = Number(/^succeeded\s+(\d+)/m.exec(stdout)?.[1] ?? 0);
    const failed = Number(/^failed\s+(\d+)/m.exec(stdout)?.[1] ?? 0);
    expect(succeeded + failed).toBe(120);
    expect(succeeded).toBeGreaterThan(60);
    // The money policy: one payout held until the demo's operator approved it, one that failed over.
    expect(stdout).toMatch(/^approval: demo-118 held for approval, approved by demo-operator, now succeeded$/m);
    expect(stdout).toMatch(/^failover: demo-119 routed auto to aurpay \(refused: insufficient balance.*\), failed over to turinpay, now succeeded$/m);
    // Every tenth payout goes to a Lightning Address; the first to a server that refuses.
    expect(stdout).toMatch(/^lightning addresses: 12 payouts resolved by the worker \(.*succeeded \d+.*\); failures: .*lnurl_refused 1/m);
    expect(stdout).toMatch(/^lightning address: demo-5 to a server that refuses, now failed \(lnurl_refused, nothing sent\)$/m);
  }, 150_000);

  it('prints the report as one JSON document with --json, the ledger check included, and nothing else on stdout', async () => {
    const { stdout } = await demo(['--count', '24', '--timeout', '90', '--json']);
    expect(stdout.trimEnd().split('\n')).toHaveLength(1);
    const report = JSON.parse(stdout) as { byStatus: Record<string, number>; amountMsatByStatus: Record<string, string> } & Record<string, unknown>;
    expect(report).toMatchObject({
      batchId: expect.stringMatching(/^demo-batch-\w+$/),
      accepted: 24,
      refused: 0,
      rejected: [],
      total: 24,
      done: true,
      interrupted: false,
      ledger: { paidTwice: [], disagreements: [], agrees: true },
    });
    expect((report.byStatus.succeeded ?? 0) + (report.byStatus.failed ?? 0)).toBe(24);
    expect(report.ledger).toMatchObject({ payments: report.byStatus.succeeded });
    for (const amount of Object.values(report.amountMsatByStatus)) expect(amount).toMatch(/^[0-9]+$/);
    expect(typeof report.seconds).toBe('number');
    expect(report.policy).toMatchObject({
      approval: { id: 'demo-22', approvedBy: ['demo-operator'], status: 'succeeded' },
      failover: { id: 'demo-23', from: 'aurpay', to: 'turinpay', status: 'succeeded' },
    });
    expect(report.lightningAddresses).toMatchObject({ total: 2, misbehaving: [{ id: 'demo-5', status: 'failed', failure: 'lnurl_refused' }] });
  }, 150_000);
});
