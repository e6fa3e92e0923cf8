/**
 * The README's "One payout" works as written: its commands run here in bash, unchanged but for the
 * API's port (a free one instead of 3000, which other tests may hold) and the test's Redis.
 * `start --sandbox` runs as a child process; the rest run as a newcomer types them.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/demo/redis-server.ts';
import { redisUrl } from '../support/redis.ts';
import { childEnv } from '../support/processes.ts';
import { findOnPath } from '../support/prerequisites.ts';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);

/** The first ```sh block of the README's "## One payout" section, one command per entry (continuations joined). */
function onePayoutCommands(): string[] {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const section = readme.split(/^## /m).find((s) => s.startsWith('One payout'));
  const block = section?.match(/```sh\n([\s\S]*?)```/)?.[1];
  if (!block) throw new Error('README.md has no sh block under "## One payout"');
  return block
    .replace(/\\\n\s*/g, '')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
}

let service: ChildProcess | null = null;
const output: string[] = [];

afterAll(async () => {
  if (!service || service.exitCode !== null) return;
  const exited = new Promise((resolve) => service?.once('exit', resolve));
  // The whole group: npx and the node process it started.
  if (service.pid) process.kill(-service.pid, 'SIGTERM');
  await Promise.race([exited, sleep(20_000)]);
  if (service.exitCode === null && service.pid) process.kill(-service.pid, 'SIGKILL');
});

describe('README "One payout"', () => {
  it('starts the sandbox service, pays a fresh invoice by curl, and the status reaches succeeded', async () => {
    if (!findOnPath('curl')) throw new Error('curl not found on PATH: install it with "sudo apt-get install curl"');
    const port = await freePort();
    const env = childEnv({ REDIS_URL: redisUrl(), PORT: String(port) });
    const commands = onePayoutCommands().map((c) => c.replaceAll('127.0.0.1:3000', `127.0.0.1:${port}`));

    const startLine = commands.find((c) => /withdrawals start --sandbox\s*&$/.test(c));
    expect(startLine, 'the section starts the sandbox service in the background').toBeDefined();
    service = spawn('bash', ['-c', (startLine ?? '').replace(/&$/, '')], { cwd: REPO, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    service.stdout?.on('data', (d: Buffer) => output.push(d.toString()));
    service.stderr?.on('data', (d: Buffer) => output.push(d.toString()));

    // Every other command up to the status read, in one shell (INVOICE carries over), as typed.
    const statusIndex = commands.findIndex((c) => /curl -s -H 'Authorization: Bearer [^']+' http:\/\/\S+\/v1\/withdrawals\/\S+$/.test(c));
    expect(statusIndex, 'the section reads the withdrawal back').toBeGreaterThan(0);
    const script = commands.slice(0, statusIndex).filter((c) => c !== startLine);
    const posted = await run('bash', ['-c', `set -e\n${script.join('\n')}`], { cwd: REPO, env, timeout: 60_000 });
    const accepted = JSON.parse(posted.stdout.trim().split('\n').pop() ?? '');
    expect(accepted).toMatchObject({ id: 'payout-2026-11-21-000123', owner: 'shop', provider: 'turinpay', amountMsat: '360000' });
    expect(['queued', 'submitting', 'submitted', 'succeeded']).toContain(accepted.status);

    const banner = output.join('');
    expect(banner).toMatch(/^producer token: shop-token-00001 \(shop\)$/m);
    expect(banner).toMatch(/^operator token: sandbox-operator-[0-9a-f]+ \(sandbox-operator\)$/m);
    expect(banner).toMatch(/LN_NETWORK=regtest: no real money moves/);
    expect(banner).toContain(`curl -s -H 'Authorization: Bearer shop-token-00001'`);

    const statusLine = commands[statusIndex] ?? '';
    let record: { status?: string; feeMsat?: string; history?: { status: string }[] } = {};
    for (let i = 0; i < 60 && record.status !== 'succeeded'; i++) {
      if (i > 0) await sleep(500);
      record = JSON.parse((await run('bash', ['-c', statusLine], { cwd: REPO, env, timeout: 30_000 })).stdout);
    }
    expect(record.status).toBe('succeeded');
    expect(record.feeMsat).toBe('1000');
    expect(record.history?.map((h) => h.status).at(-1)).toBe('succeeded');

    // The listing that follows shows it; `kill %1` is the shell's job control: afterAll stops it.
    const listLine = commands.slice(statusIndex + 1).find((c) => c.startsWith('curl ') && c.includes('/v1/withdrawals?'));
    expect(listLine, 'the section lists the withdrawals').toBeDefined();
    const listed = JSON.parse((await run('bash', ['-c', listLine ?? ''], { cwd: REPO, env, timeout: 30_000 })).stdout);
    expect(listed).toEqual({ withdrawals: [expect.objectContaining({ id: 'payout-2026-11-21-000123', status: 'succeeded' })], next: null });
    expect(commands.at(-1)).toMatch(/^kill %1\b/);

    // The banner's Lightning Address example works as printed: resolved on the sandbox's LNURL-pay server, then paid.
    const lines = banner.split('\n');
    const at = lines.findIndex((l) => l.startsWith('or pay 21 sat to a Lightning Address'));
    expect(at, 'the banner shows a Lightning Address payout').toBeGreaterThan(0);
    const tip = JSON.parse((await run('bash', ['-c', lines.slice(at + 1, at + 4).join('\n')], { cwd: REPO, env, timeout: 30_000 })).stdout);
    expect(tip).toMatchObject({ id: 'tip-1', lightningAddress: expect.stringMatching(/^alice@127\.0\.0\.1:\d+$/), invoice: null, amountMsat: '21000' });
    const tipStatus = statusLine.replace(/\/v1\/withdrawals\/\S+$/, '/v1/withdrawals/tip-1');
    let tipRecord: { status?: string; invoice?: string | null } = {};
    for (let i = 0; i < 60 && tipRecord.status !== 'succeeded'; i++) {
      if (i > 0) await sleep(500);
      tipRecord = JSON.parse((await run('bash', ['-c', tipStatus], { cwd: REPO, env, timeout: 30_000 })).stdout);
    }
    expect(tipRecord.status).toBe('succeeded');
    expect(tipRecord.invoice).toMatch(/^lnbcrt210n1/);
  });
});
