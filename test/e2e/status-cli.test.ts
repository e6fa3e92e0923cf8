import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withdrawalBody } from '../support/invoices.ts';
import { longId } from '../support/long-id.ts';
import { eventually, startPipeline, type Pipeline } from '../support/pipeline.ts';
import { redisUrl } from '../support/redis.ts';

const run = promisify(execFile);
let p: Pipeline;
beforeAll(async () => {
  p = await startPipeline();
});
afterAll(async () => p.close());

function status(args: string[]) {
  return run(process.execPath, ['bin/withdrawals.js', 'status', ...args], {
    env: { PATH: process.env.PATH ?? '', REDIS_URL: redisUrl(), QUEUE_PREFIX: p.config.QUEUE_PREFIX },
  });
}

describe('withdrawals status ID', () => {
  it('prints the withdrawal and every step of its history', async () => {
    const { body } = withdrawalBody('turinpay', 36_000n);
    await p.call('POST', '/v1/withdrawals', body);
    await eventually(async () => ((await p.call('GET', `/v1/withdrawals/${body.id}`)).body.status === 'succeeded' ? true : undefined));
    const { stdout } = await status([body.id]);
    expect(stdout).toContain(`withdrawal  ${body.id}`);
    expect(stdout).toContain('status      succeeded');
    expect(stdout).toContain('36000 msat');
    for (const s of ['queued', 'submitting', 'succeeded']) expect(stdout).toMatch(new RegExp(`\\s${s}\\s`));
    const json = JSON.parse((await status([body.id, '--json'])).stdout);
    expect(json.history.map((h: { status: string }) => h.status)).toEqual(['queued', 'submitting', 'succeeded']);
  });

  it('finds a 128-character id holding . _ : and -, and one starting with - after "--"', async () => {
    const ids = [longId(), longId('-')];
    for (const id of ids) {
      const { body } = withdrawalBody('aurpay', 25_000n, { id });
      expect((await p.call('POST', '/v1/withdrawals', body)).status).toBe(202);
    }
    await eventually(async () => {
      const states = await Promise.all(ids.map(async (id) => (await p.call('GET', `/v1/withdrawals/${encodeURIComponent(id)}`)).body.status));
      return states.every((s) => s === 'succeeded') ? true : undefined;
    });
    const [plain, dashed] = ids as [string, string];
    const { stdout } = await status([plain]);
    expect(stdout).toContain(`withdrawal  ${plain}\n`);
    expect(stdout).toContain('status      succeeded');
    expect(JSON.parse((await status(['--json', '--', dashed])).stdout)).toMatchObject({ id: dashed, status: 'succeeded' });
  });

  it('exits 1 for an unknown id', async () => {
    await expect(status(['no-such-withdrawal'])).rejects.toMatchObject({ code: 1 });
  });
});
