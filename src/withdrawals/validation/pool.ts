import { Worker } from 'node:worker_threads';
import type { Logger } from '../../logger.ts';
import type { CheckContext } from '../checks.ts';
import type { ValidationReply, ValidationTask } from './thread.ts';
import { validateWithdrawal, type Validation } from './validate.ts';

/**
 * Validation threads for batches: recovering each invoice's signature is the largest cost of
 * accepting a withdrawal, and in threads it runs beside the thread that talks to Redis, on as many
 * cores as the pool has threads (docs/performance.md).
 */
export interface ValidationPool {
  readonly threads: number;
  /** Validates `items` in a thread; in this thread if none can take them (never refuses work). */
  validate(items: unknown[], ctx: CheckContext): Promise<Validation[]>;
  /** Items validated so far in threads and in the calling thread. */
  counts(): { inThreads: number; inline: number };
  close(): Promise<void>;
}

interface Thread {
  worker: Worker;
  pending: Map<number, { resolve(r: Validation[]): void; reject(err: unknown): void }>;
}

const ENTRY = new URL('./thread-entry.mjs', import.meta.url);

class UncopyableItems extends Error {
  constructor(cause: unknown) {
    super('batch items cannot be copied to a validation thread', { cause });
  }
}

/** Validating a chunk threw in its thread; the thread itself is fine. */
class ChunkValidationError extends Error {
  override name = 'ChunkValidationError';
}

export function createValidationPool(opts: {
  threads: number;
  logger?: Logger;
  /** The threads' entry module. @defaultValue thread-entry.mjs beside this file */
  entry?: URL;
}): ValidationPool {
  const threads: Thread[] = [];
  let seq = 0;
  let closed = false;
  let failed = false;
  const counts = { inThreads: 0, inline: 0 };
  const inline = (items: unknown[], ctx: CheckContext): Validation[] => {
    counts.inline += items.length;
    return items.map((item) => validateWithdrawal(item, ctx));
  };

  function start(): Thread {
    const worker = new Worker(opts.entry ?? ENTRY, { name: 'withdrawals-validation' });
    worker.unref();
    const thread: Thread = { worker, pending: new Map() };
    const fail = (err: unknown) => {
      const i = threads.indexOf(thread);
      if (i >= 0) threads.splice(i, 1);
      for (const p of thread.pending.values()) p.reject(err);
      thread.pending.clear();
    };
    worker.on('message', (reply: ValidationReply) => {
      const p = thread.pending.get(reply.seq);
      thread.pending.delete(reply.seq);
      if ('failure' in reply) p?.reject(new ChunkValidationError(`validating batch items failed in a thread: ${reply.failure}`));
      else p?.resolve(reply.results);
    });
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`validation thread exited with code ${code}`)));
    threads.push(thread);
    return thread;
  }

  /** The least busy thread, starting threads up to the pool's size on demand. */
  function pick(): Thread {
    const idle = threads.find((t) => t.pending.size === 0);
    if (idle) return idle;
    if (threads.length < opts.threads) return start();
    return threads.reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
  }

  function inThread(items: unknown[], ctx: CheckContext): Promise<Validation[]> {
    const thread = pick();
    const task: ValidationTask = { seq: ++seq, ctx, items };
    return new Promise<Validation[]>((resolve, reject) => {
      try {
        thread.worker.postMessage(task);
      } catch (err) {
        // Not the thread's fault: an item that cannot be copied (a library caller's function, say).
        reject(new UncopyableItems(err));
        return;
      }
      thread.pending.set(task.seq, { resolve, reject });
    });
  }

  return {
    threads: opts.threads,
    async validate(items, ctx) {
      if (opts.threads === 0 || closed || failed) return inline(items, ctx);
      try {
        const results = await inThread(items, ctx);
        counts.inThreads += items.length;
        return results;
      } catch (err) {
        if (err instanceof UncopyableItems) return inline(items, ctx);
        // The same items would throw here too: the caller gets the error, the threads stay in use.
        if (err instanceof ChunkValidationError) throw err;
        // A thread that died (or could not start) must not lose the batch: validate here instead,
        // from now on (a thread that cannot start would otherwise be started again for every chunk).
        if (!failed) opts.logger?.warn({ err }, 'a validation thread failed; validating in the main thread from now on');
        failed = true;
        return inline(items, ctx);
      }
    },
    counts: () => ({ ...counts }),
    async close() {
      closed = true;
      await Promise.all(threads.splice(0).map((t) => t.worker.terminate()));
    },
  };
}
