/**
 * Child processes of `node bin/withdrawals.js api|worker` for tests that crash, stop and restart
 * them. Every process started here is tracked, so `stopAllProcesses()` (and, as a last resort,
 * the exit of the test process) kills whatever a test left running.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../src/demo/redis-server.ts';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const BIN = fileURLToPath(new URL('../../bin/withdrawals.js', import.meta.url));
/** Lines kept per process: enough for a 500-payout run at LOG_LEVEL=info. */
const MAX_LINES = 50_000;

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ServiceProcess {
  name: string;
  pid: number;
  child: ChildProcess;
  /** stdout and stderr, line by line, in arrival order. */
  lines: string[];
  exited: Promise<Exit>;
  running(): boolean;
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<string>;
  count(pattern: RegExp): number;
  /** Sends `signal` and waits for the process to end (SIGKILL after `graceMs` if it does not). */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<Exit>;
}

const live = new Set<ServiceProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // A test process that dies before its afterAll must not leave workers behind.
  process.once('exit', () => {
    for (const p of live) if (p.running()) p.child.kill('SIGKILL');
  });
}

/** Only what a Node process needs to run; nothing of the parent's configuration leaks in. */
export function childEnv(vars: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const k of ['PATH', 'HOME', 'TMPDIR', 'LANG', 'TZ']) {
    const v = process.env[k];
    if (v !== undefined) env[k] = v;
  }
  return { ...env, ...vars };
}

/** Starts `withdrawals <args...>` with exactly `env` (plus PATH/HOME). */
export function spawnWithdrawals(name: string, args: string[], env: Record<string, string>): ServiceProcess {
  installExitHook();
  const child = spawn(process.execPath, [BIN, ...args], { cwd: REPO, env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  if (child.pid === undefined) throw new Error(`${name}: could not spawn`);
  const lines: string[] = [];
  const waiters = new Set<{ pattern: RegExp; resolve(line: string): void }>();
  const onText = (stream: NodeJS.ReadableStream) => {
    let rest = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      const parts = (rest + chunk).split('\n');
      rest = parts.pop() ?? '';
      for (const line of parts) {
        if (lines.length >= MAX_LINES) lines.shift();
        lines.push(line);
        for (const w of waiters) {
          if (w.pattern.test(line)) {
            waiters.delete(w);
            w.resolve(line);
          }
        }
      }
    });
  };
  if (child.stdout) onText(child.stdout);
  if (child.stderr) onText(child.stderr);
  let exit: Exit | null = null;
  const exited = new Promise<Exit>((resolve) => {
    child.once('exit', (code, signal) => {
      exit = { code, signal };
      resolve(exit);
    });
  });

  const proc: ServiceProcess = {
    name,
    pid: child.pid,
    child,
    lines,
    exited,
    running: () => exit === null,
    count: (pattern) => lines.filter((l) => pattern.test(l)).length,
    waitForLine(pattern, timeoutMs = 20_000) {
      const seen = lines.find((l) => pattern.test(l));
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise<string>((resolve, reject) => {
        const w = { pattern, resolve: (l: string) => (clearTimeout(timer), resolve(l)) };
        const timer = setTimeout(() => {
          waiters.delete(w);
          reject(new Error(`${name}: no line matching ${pattern} within ${timeoutMs} ms; last lines:\n${lines.slice(-20).join('\n')}`));
        }, timeoutMs);
        waiters.add(w);
        void exited.then((e) => {
          if (!waiters.has(w)) return;
          waiters.delete(w);
          clearTimeout(timer);
          reject(new Error(`${name} exited (${e.code ?? e.signal}) before a line matching ${pattern}; last lines:\n${lines.slice(-20).join('\n')}`));
        });
      });
    },
    async stop(signal = 'SIGTERM', graceMs = 15_000) {
      if (exit) return exit;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const e = await exited;
      clearTimeout(timer);
      return e;
    },
  };
  live.add(proc);
  void exited.then(() => live.delete(proc));
  return proc;
}

/** A worker process, resolved once its workers are listening on the queues. */
export async function startWorkerProcess(name: string, env: Record<string, string>, args: string[] = []): Promise<ServiceProcess> {
  const proc = spawnWithdrawals(name, ['worker', ...args], env);
  await proc.waitForLine(/"msg":"workers started"/, 30_000);
  return proc;
}

/** An API process on a free port, resolved once `/readyz` answers 200. */
export async function startApiProcess(name: string, env: Record<string, string>): Promise<{ proc: ServiceProcess; baseUrl: string }> {
  const port = await freePort();
  const proc = spawnWithdrawals(name, ['api'], { ...env, HOST: '127.0.0.1', PORT: String(port) });
  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (!proc.running()) throw new Error(`${name} exited before it was ready:\n${proc.lines.slice(-20).join('\n')}`);
    const ok = await fetch(`${baseUrl}/readyz`).then((r) => r.ok, () => false);
    if (ok) return { proc, baseUrl };
    if (Date.now() > deadline) throw new Error(`${name} not ready within 30 s:\n${proc.lines.slice(-20).join('\n')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Kills (SIGKILL) every process started here that still runs, and waits for them. */
export async function stopAllProcesses(): Promise<void> {
  await Promise.all([...live].map((p) => p.stop('SIGKILL')));
}
