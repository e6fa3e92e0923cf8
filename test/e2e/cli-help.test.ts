/**
 * `withdrawals --help` lists the exit codes, and the command keeps them: 0 help, 2 for a wrong
 * command line, 78 for a bad environment variable. (1, failures, is tested with each command.)
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../../bin/withdrawals.js', import.meta.url));

function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, timeout: 30_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : null) : 0, stdout, stderr });
    });
  });
}

describe('withdrawals --help', () => {
  it('lists every command, --json, and the exit codes 0, 1, 2 and 78 with their meaning; exit 0', async () => {
    const run = await cli(['--help']);
    expect(run.code).toBe(0);
    for (const command of ['start', 'api', 'worker', 'demo', 'batch FILE', 'status ID']) expect(run.stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
    expect(run.stdout).toMatch(/batch FILE .*\[--json\]/);
    expect(run.stdout).toMatch(/demo .*\[--json\]/);
    expect(run.stdout).toMatch(/^Exit codes:$/m);
    expect(run.stdout).toMatch(/^ {2}0 {3}done; start, api and worker: stopped on SIGTERM or SIGINT$/m);
    expect(run.stdout).toMatch(/^ {2}1 {3}failed: /m);
    expect(run.stdout).toMatch(/^ {2}2 {3}usage: /m);
    expect(run.stdout).toMatch(/^ {2}78 {2}configuration: /m);
    expect(run.stderr).toBe('');
  });

  it('states the exit codes in the very words of docs/commands.md', async () => {
    const help = (await cli(['--help'])).stdout;
    const block = help.split(/^Exit codes:$/m)[1] ?? '';
    const fromHelp = new Map<string, string>();
    let code = '';
    for (const line of block.split('\n')) {
      const start = /^ {2}(\d+) +(.*)$/.exec(line);
      if (start) {
        code = start[1] ?? '';
        fromHelp.set(code, start[2] ?? '');
      } else if (code && line.trim()) fromHelp.set(code, `${fromHelp.get(code) ?? ''} ${line.trim()}`);
    }
    const doc = readFileSync(new URL('../../docs/commands.md', import.meta.url), 'utf8');
    const fromDoc = new Map([...doc.matchAll(/^\| (\d+) \| (.*) \|$/gm)].map((m) => [m[1] ?? '', (m[2] ?? '').replaceAll('`', '')]));
    expect([...fromHelp.keys()]).toEqual(['0', '1', '2', '78']);
    expect(Object.fromEntries(fromDoc)).toEqual(Object.fromEntries(fromHelp));
  });

  it('prints the usage and exits 2 without a command', async () => {
    const run = await cli([]);
    expect(run.code).toBe(2);
    expect(run.stdout).toMatch(/^usage: withdrawals <command>/);
  });
});

describe('exit codes', () => {
  it.each([
    ['an unknown command', ['payout']],
    ['an unknown option', ['batch', 'x.csv', '--bogus']],
    ['a bad number', ['demo', '--count', 'many']],
    ['a missing argument', ['status']],
    ['an unknown provider', ['worker', '--provider', 'paypal']],
  ])('exit 2 for %s, pointing at the usage', async (_what, args) => {
    const run = await cli(args);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^\(withdrawals --help lists the commands, options and exit codes\)$|^usage: withdrawals <command>$/m);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it('exit 78 for a bad environment variable, named in the message', async () => {
    const run = await cli(['worker'], { LOG_LEVEL: 'loud' });
    expect(run.code).toBe(78);
    expect(run.stderr).toMatch(/LOG_LEVEL: /);
  });
});
