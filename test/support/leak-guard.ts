/**
 * What a test file leaves open. A snapshot taken before the file runs is compared with what is open
 * once its afterAll hooks have run: more TCP sockets (Redis connections, HTTP clients), listening
 * servers, child processes or worker threads than at the start is a leak. Only what keeps the
 * process alive counts (unref'd handles do not), and timers never count: a timer left behind is
 * found through the socket or worker it belongs to, and otherwise ends by itself.
 */
import { ChildProcess } from 'node:child_process';
import { subscribe } from 'node:diagnostics_channel';
import { Server, Socket } from 'node:net';
import type { Worker } from 'node:worker_threads';

/** The types of process.getActiveResourcesInfo() that a finished test file must not have more of. */
const LEAK_TYPES: Record<string, string> = {
  TCPSocketWrap: 'TCP socket',
  TCPServerWrap: 'listening TCP server',
  PipeServerWrap: 'listening pipe server',
  UDPWrap: 'UDP socket',
  ProcessWrap: 'child process',
};

/** Worker threads started in this process and not exited yet (getActiveResourcesInfo() omits them). */
const runningThreads = new Set<Worker>();
subscribe('worker_threads', (message) => {
  const { worker } = message as { worker: Worker };
  runningThreads.add(worker);
  worker.once('exit', () => runningThreads.delete(worker));
});

export interface ResourceSnapshot {
  /** How many of each leak type were open. */
  counts: Map<string, number>;
  /** The handles open then (process._getActiveHandles()), so that the report names only new ones. */
  handles: Set<unknown>;
  threads: Set<Worker>;
}

/** The open handles that keep the process alive: undocumented but long-standing Node API. */
function activeHandles(): unknown[] {
  const list: unknown = Reflect.get(process, '_getActiveHandles');
  return typeof list === 'function' ? (list.call(process) as unknown[]) : [];
}

function leakTypeCounts(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const type of process.getActiveResourcesInfo()) {
    if (type in LEAK_TYPES) counts.set(type, (counts.get(type) ?? 0) + 1);
  }
  return counts;
}

export function takeSnapshot(): ResourceSnapshot {
  return { counts: leakTypeCounts(), handles: new Set(activeHandles()), threads: new Set(runningThreads) };
}

/** A handle in a line, with what tells where it came from: addresses and ports, a command line. */
function describeHandle(handle: unknown): { type: string; text: string } | null {
  if (handle instanceof Socket) {
    if (handle.remotePort === undefined) return null; // a pipe (stdio, IPC), not a TCP connection
    return { type: 'TCPSocketWrap', text: `${handle.localAddress}:${handle.localPort} -> ${handle.remoteAddress}:${handle.remotePort}` };
  }
  if (handle instanceof Server) {
    const addr = handle.address();
    if (addr === null) return null;
    if (typeof addr === 'string') return { type: 'PipeServerWrap', text: `listening on ${addr}` };
    return { type: 'TCPServerWrap', text: `listening on ${addr.address}:${addr.port}` };
  }
  if (handle instanceof ChildProcess) {
    const command = handle.spawnargs.join(' ');
    return { type: 'ProcessWrap', text: `pid ${handle.pid}: ${command.length > 120 ? `${command.slice(0, 117)}...` : command}` };
  }
  return null;
}

/**
 * What is open now beyond `baseline`, one line per kind ("2 TCP sockets: 127.0.0.1:50312 ->
 * 127.0.0.1:6379, ..."); empty when nothing is.
 */
export function leaksSince(baseline: ResourceSnapshot): string[] {
  const lines: string[] = [];
  const counts = leakTypeCounts();
  const fresh = activeHandles()
    .filter((h) => !baseline.handles.has(h))
    .map(describeHandle)
    .filter((d) => d !== null);
  for (const [type, label] of Object.entries(LEAK_TYPES)) {
    const extra = (counts.get(type) ?? 0) - (baseline.counts.get(type) ?? 0);
    if (extra <= 0) continue;
    const details = fresh.filter((d) => d.type === type).map((d) => d.text);
    lines.push(`${extra} ${label}${extra === 1 ? '' : 's'} (${type})${details.length ? `: ${details.join(', ')}` : ''}`);
  }
  const threads = [...runningThreads].filter((w) => !baseline.threads.has(w));
  if (threads.length) {
    lines.push(`${threads.length} worker thread${threads.length === 1 ? '' : 's'}: threadId ${threads.map((w) => w.threadId).join(', ')}`);
  }
  return lines;
}

/**
 * `leaksSince(baseline)` once it is empty, or as it is after `timeoutMs`: a socket closed a moment
 * ago, a child process killed, a thread terminated, are gone a few event-loop turns later.
 */
export async function waitForLeaks(baseline: ResourceSnapshot, timeoutMs = 3000, intervalMs = 50): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const leaks = leaksSince(baseline);
    if (leaks.length === 0 || Date.now() >= deadline) return leaks;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
