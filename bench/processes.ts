/** Child processes of the benchmark (API, workers, the bare BullMQ worker), with their peak memory. */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface BenchChild {
  name: string;
  process: ChildProcess;
  /** Last lines the child wrote (stdout and stderr), for error messages. */
  tail(): string;
  /** Resolves with each line on stdout. */
  onLine(fn: (line: string) => void): void;
  /** Peak resident set size so far, in MiB (VmHWM), or null once the process is gone. */
  peakRssMiB(): number | null;
  /** CPU seconds used so far (last value read while it lived). */
  cpuSeconds(): number | null;
  /** Resident set size at each read of peakRssMiB() (every 250 ms during a project run). */
  rssSamples: { t: number; mib: number }[];
  /** SIGTERM, then SIGKILL after `graceMs`; resolves with the peak RSS read just before. */
  stop(graceMs?: number): Promise<number | null>;
}

/** CPU time (user + system) a live process has used, in seconds (Linux, 100 ticks/s); null when unreadable. */
export function cpuSecondsOf(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

function rssOf(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m?.[1] ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}

/** VmHWM of a live process, in MiB (Linux); null when unreadable. */
export function peakRssOf(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m?.[1] ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}

export interface SpawnOptions {
  env: Record<string, string>;
  /** Directory for `--cpu-prof` output; absent: no profile. */
  cpuProfDir?: string;
}

/** Runs `node <args>` from the repository root with exactly `env` added to this process's PATH/HOME. */
export function spawnNode(name: string, args: string[], opts: SpawnOptions): BenchChild {
  // One directory per process: the tsx loader thread writes a profile of its own next to the main one.
  const nodeArgs = opts.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${opts.cpuProfDir}/${name}`] : [];
  const child = spawn(process.execPath, [...nodeArgs, ...args], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const listeners: ((line: string) => void)[] = [];
  let partial = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    const text = partial + chunk.toString('utf8');
    const parts = text.split('\n');
    partial = parts.pop() ?? '';
    for (const line of parts) {
      lines.push(line);
      if (lines.length > 40) lines.shift();
      for (const fn of listeners) fn(line);
    }
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    lines.push(chunk.toString('utf8'));
    if (lines.length > 40) lines.shift();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let lastPeak: number | null = null;
  let lastCpu: number | null = null;
  const rssSamples: { t: number; mib: number }[] = [];
  const peak = () => {
    const v = peakRssOf(child.pid);
    if (v !== null) lastPeak = v;
    const now = rssOf(child.pid);
    if (now !== null) rssSamples.push({ t: Date.now(), mib: now });
    const c = cpuSecondsOf(child.pid);
    if (c !== null) lastCpu = c;
    return lastPeak;
  };
  return {
    name,
    process: child,
    tail: () => lines.join('\n'),
    onLine: (fn) => listeners.push(fn),
    peakRssMiB: peak,
    rssSamples,
    cpuSeconds: () => {
      peak();
      return lastCpu;
    },
    async stop(graceMs = 15_000) {
      const value = peak();
      if (child.exitCode !== null || child.signalCode !== null) return value;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
      return value;
    },
  };
}
