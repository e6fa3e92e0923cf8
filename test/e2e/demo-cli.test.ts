import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { redisUrl } from '../support/redis.ts';

const run = promisify(execFile);

describe('withdrawals demo', () => {
  it('settles every payout of its batch through both sandboxes with faults on, and reports it', async () => {
    const { stdout } = await run(process.execPath, ['bin/withdrawals.js', 'demo', '--count', '120', '--timeout', '90'], {
      env: { PATH: process.env.PATH ?? '', REDIS_URL: redisUrl() },
      timeout: 120_000,
    });
    expect(stdout).toMatch(/batch demo-batch-\w+: 120 payouts/);
    expect(stdout).toContain('all terminal: yes');
    expect(stdout).toMatch(/provider ledger: \d+ payments made, 0 invoices paid twice/);
    expect(stdout).toContain('records agree with the ledger: yes');
    const succeeded = Number(/^succeeded\s+(\d+)/m.exec(stdout)?.[1] ?? 0);
    const failed = Number(/^failed\s+(\d+)/m.exec(stdout)?.[1] ?? 0);
    expect(succeeded + failed).toBe(120);
    expect(succeeded).toBeGreaterThan(60);
  }, 150_000);
});
