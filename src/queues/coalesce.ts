import type { JobsOptions, Queue } from 'bullmq';

/** Jobs added in one burst are written with one `addBulk` (one round trip) once this many are waiting. */
const MAX_BULK = 500;

interface Pending<T> {
  name: string;
  data: T;
  opts: JobsOptions;
  resolve(): void;
  reject(err: unknown): void;
}

/**
 * Adds jobs to `queue`, gathering every job added in the same turn of the event loop into one
 * `addBulk` call: a batch of 100,000 items or 20 workers finishing at once make a handful of
 * round trips instead of one each. Each caller still learns whether its own job was written.
 */
export function coalescingAdder<T>(queue: Queue<T>): (name: string, data: T, opts: JobsOptions) => Promise<void> {
  let pending: Pending<T>[] = [];
  const flush = async (): Promise<void> => {
    const batch = pending;
    pending = [];
    if (batch.length === 0) return;
    try {
      // BullMQ's own generics make `name` a derived type; the jobs are exactly what Queue.add takes.
      await queue.addBulk(batch.map(({ name, data, opts }) => ({ name, data, opts })) as Parameters<Queue<T>['addBulk']>[0]);
      for (const p of batch) p.resolve();
    } catch (err) {
      for (const p of batch) p.reject(err);
    }
  };
  return (name, data, opts) =>
    new Promise<void>((resolve, reject) => {
      pending.push({ name, data, opts, resolve, reject });
      if (pending.length === 1) setImmediate(() => void flush());
      else if (pending.length >= MAX_BULK) void flush();
    });
}
