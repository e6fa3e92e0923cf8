import type { JobsOptions, Queue } from 'bullmq';
import { coalesce } from '../coalesce.ts';

/** Jobs added in one burst are written with one `addBulk` (one round trip) once this many are waiting. */
const MAX_BULK = 500;

/**
 * Adds jobs to `queue`, gathering every job added in the same turn of the event loop into one
 * `addBulk` call: a batch of 100,000 items or 20 workers finishing at once make a handful of
 * round trips instead of one each. Each caller still learns whether its own job was written.
 */
export function coalescingAdder<T>(queue: Queue<T>): (name: string, data: T, opts: JobsOptions) => Promise<void> {
  const add = coalesce<{ name: string; data: T; opts: JobsOptions }, void>(async (jobs) => {
    // BullMQ's own generics make `name` a derived type; the jobs are exactly what Queue.add takes.
    await queue.addBulk(jobs as Parameters<Queue<T>['addBulk']>[0]);
    return jobs.map(() => undefined);
  }, MAX_BULK);
  return (name, data, opts) => add({ name, data, opts });
}
