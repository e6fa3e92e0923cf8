import type { Queue } from 'bullmq';
import type { Logger } from '../logger.ts';

/**
 * Keeps the sweep's job scheduler alive. BullMQ schedules each sweep as one delayed job, created
 * when the previous one runs; a Redis failover can lose that job (replication is asynchronous, and
 * BullMQ's writes are not waited for), and then no sweep ever runs again: withdrawals whose jobs the
 * same failover lost would stay `queued` or `submitted` for good. Every `everyMs` this looks for any
 * job in the maintenance queue and, finding none, schedules the sweep again (an idempotent upsert).
 * Returns the function that stops it.
 */
export function watchSweepScheduler(opts: {
  queue: Queue;
  schedule: () => Promise<unknown>;
  everyMs: number;
  logger: Logger;
}): () => void {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    void (async () => {
      const counts = await opts.queue.getJobCounts('active', 'wait', 'delayed', 'prioritized', 'paused', 'waiting-children');
      if (Object.values(counts).some((n) => n > 0)) return;
      await opts.schedule();
      opts.logger.warn('the sweep had no job scheduled (lost in a Redis failover?): scheduled again');
    })()
      .catch((err: unknown) => opts.logger.debug({ err: err instanceof Error ? err.message : String(err) }, 'sweep watchdog: Redis not answering'))
      .finally(() => {
        running = false;
      });
  }, opts.everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
