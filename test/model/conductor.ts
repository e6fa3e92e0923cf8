import { AsyncLocalStorage } from 'node:async_hooks';
import type fc from 'fast-check';

/** Thrown at the next step of an operation whose worker crashed: it writes nothing more. */
export class WorkerCrash extends Error {
  override name = 'WorkerCrash';
}

/** One concurrent activity of the system: a job run, a sweep, an operator's action. */
export interface Operation {
  readonly seq: number;
  readonly name: string;
  crashed: boolean;
  done: boolean;
}

/** How long an operation may run between two of its steps (one Redis round trip, normally). */
const QUIET_TIMEOUT_MS = 10_000;

/**
 * Runs the system's operations one step at a time, in the order the fast-check scheduler picks.
 * An operation parks at every step (a store call, a provider call) as a scheduled task; firing one
 * lets exactly that operation run (real Redis I/O included) until it parks again or finishes, so
 * the interleaving is the scheduler's choice alone and a seed replays it.
 */
export function createConductor(s: fc.Scheduler) {
  const current = new AsyncLocalStorage<Operation>();
  let running = 0;
  let seq = 0;
  let wake: (() => void) | null = null;
  const live: Operation[] = [];

  function enter(): void {
    running++;
  }

  function leave(): void {
    running--;
    if (running === 0 && wake) {
      const w = wake;
      wake = null;
      w();
    }
  }

  /** Resolves once every operation is parked or finished. */
  async function quiet(): Promise<void> {
    if (running === 0) return;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        new Promise<void>((resolve) => {
          wake = resolve;
        }),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`an operation neither parked nor finished within ${QUIET_TIMEOUT_MS} ms`)), QUIET_TIMEOUT_MS);
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Parks the calling operation until the scheduler picks it (no-op outside an operation). */
  async function step(label: string): Promise<void> {
    const op = current.getStore();
    if (!op) return;
    if (op.crashed) throw new WorkerCrash(`${op.name} crashed`);
    leave();
    await s.schedule(Promise.resolve(), `#${op.seq} ${op.name}: ${label}`, undefined, async (fire) => {
      enter();
      await fire();
    });
    if (op.crashed) throw new WorkerCrash(`${op.name} crashed`);
  }

  /**
   * Parks the calling operation on a promise only the model settles (a hanging provider call);
   * whoever settles it calls `resume()` first.
   */
  function blockOn<T>(p: Promise<T>): Promise<T> {
    if (current.getStore()) leave();
    return p;
  }

  /** Starts an operation; it runs until its first step parks it. */
  function spawn<T>(name: string, fn: () => Promise<T>): { op: Operation; result: Promise<T> } {
    const op: Operation = { seq: ++seq, name, crashed: false, done: false };
    live.push(op);
    enter();
    const result = current.run(op, async () => {
      try {
        return await fn();
      } finally {
        op.done = true;
        live.splice(live.indexOf(op), 1);
        leave();
      }
    });
    // Callers that care observe `result`; an unobserved failure must not end the process.
    result.catch(() => undefined);
    return { op, result };
  }

  /** Fires one parked step (the scheduler's pick) and waits until the system is quiet again. */
  async function advance(): Promise<boolean> {
    if (s.count() === 0) return false;
    await s.waitOne();
    await quiet();
    return true;
  }

  return {
    step,
    blockOn,
    spawn,
    advance,
    quiet,
    resume: enter,
    inOperation: () => current.getStore() !== undefined,
    operations: (): readonly Operation[] => live,
    pending: () => s.count(),
  };
}

export type Conductor = ReturnType<typeof createConductor>;
