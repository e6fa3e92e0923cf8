import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withdrawalBody } from '../support/invoices.ts';
import { startPipeline, type Pipeline } from '../support/pipeline.ts';
import { redisUrl } from '../support/redis.ts';

const run = promisify(execFile);
let p: Pipeline;
beforeAll(async () => {
  p = await startPipeline({ workers: false });
});
afterAll(async () => p.close());

function list(args: string[]) {
  return run(process.execPath, ['bin/withdrawals.js', 'list', ...args], {
    env: { PATH: process.env.PATH ?? '', REDIS_URL: redisUrl(), QUEUE_PREFIX: p.config.QUEUE_PREFIX },
  });
}

describe('withdrawals list', () => {
  it('prints withdrawals newest first, a page at a time, and the command for the next page', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const { body } = withdrawalBody('turinpay', 36_000n);
      expect((await p.call('POST', '/v1/withdrawals', body)).status).toBe(202);
      ids.push(body.id);
    }
    const { stdout } = await list(['--limit', '2', '--producer', 'tester']);
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toContain(ids[2]);
    expect(lines[0]).toMatch(/queued\s+turinpay\s+36000 msat\s+tester/);
    expect(lines[1]).toContain(ids[1]);
    const next = lines[2]?.match(/^next: withdrawals list --cursor (\S+) --producer tester$/)?.[1];
    expect(next).toBeDefined();
    const json = JSON.parse((await list(['--json', '--cursor', next ?? '', '--producer', 'tester'])).stdout);
    expect(json.withdrawals.map((w: { id: string }) => w.id)).toEqual([ids[0]]);
    expect(json.next).toBeNull();
    expect(JSON.parse((await list(['--json', '--status', 'succeeded'])).stdout)).toEqual({ withdrawals: [], next: null });
  });

  it.each([[['--status', 'paid']], [['--limit', '0']], [['--cursor', 'forged']], [['--producer', 'a b']]])('exits 2 on %j', async (args) => {
    await expect(list(args)).rejects.toMatchObject({ code: 2 });
  });
});
