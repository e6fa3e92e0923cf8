import type { Job } from 'bullmq';
import { settleJobId, submitJobId } from '../../src/queues/names.ts';
import type { Queues } from '../../src/queues/queues.ts';

export type JobState = 'waiting' | 'delayed' | 'active' | 'completed' | 'failed';

/** A job as BullMQ keeps it, reduced to what the processors and the sweep touch. */
export interface FakeJob {
  queue: string;
  id: string;
  name: string;
  /** A withdrawal's own job (`id`) or a batch part's (`ids`). */
  data: { id: string; checks?: number } | { ids: string[] };
  attemptsMade: number;
  /** Unix ms the job was created (the model's clock), as BullMQ's `job.timestamp`. */
  timestamp: number;
  opts: { attempts: number };
  state: JobState;
  /** Unix ms a delayed job may run from. */
  runAt: number;
  /** What the last run returned or threw, for traces. */
  last: string;
  updateData(data: { id: string; checks?: number }): Promise<void>;
  moveToDelayed(timestamp: number, token?: string): Promise<void>;
  moveToWait(token?: string): Promise<number>;
}

export const SETTLE = 'settle';

export interface QueueOptions {
  providers: readonly string[];
  submitAttempts: number;
  now(): number;
}

/**
 * The `Queues` interface in memory: one job per id and queue (BullMQ ignores an add whose id
 * exists, finished or not, until it is removed), so the model decides which job runs when.
 */
export function createFakeQueues(opts: QueueOptions) {
  const jobs = new Map<string, FakeJob>();
  const paused = new Set<string>();
  let strays = 0;
  const key = (queue: string, id: string) => `${queue}/${id}`;

  function add(queue: string, name: string, id: string, data: FakeJob['data'], attempts: number, delayMs: number): void {
    if (jobs.has(key(queue, id))) return;
    const job: FakeJob = {
      queue,
      id,
      name,
      data,
      attemptsMade: 0,
      timestamp: opts.now(),
      opts: { attempts },
      state: delayMs > 0 ? 'delayed' : 'waiting',
      runAt: opts.now() + delayMs,
      last: '',
      async updateData(d: FakeJob['data']) {
        job.data = d;
      },
      async moveToDelayed(timestamp) {
        job.state = 'delayed';
        job.runAt = timestamp;
      },
      async moveToWait() {
        job.state = 'waiting';
        return 0;
      },
    };
    jobs.set(key(queue, id), job);
  }

  function queueView(queue: string) {
    return {
      name: queue,
      async getJobState(id: string): Promise<string> {
        return jobs.get(key(queue, id))?.state ?? 'unknown';
      },
      async getJob(id: string) {
        const job = jobs.get(key(queue, id));
        if (!job) return undefined;
        return {
          ...job,
          async retry() {
            if (job.state === 'failed') job.state = 'waiting';
          },
        };
      },
      async remove(id: string): Promise<number> {
        const job = jobs.get(key(queue, id));
        if (!job || job.state === 'active') return 0;
        jobs.delete(key(queue, id));
        return 1;
      },
      async isPaused(): Promise<boolean> {
        return paused.has(queue);
      },
      async pause(): Promise<void> {
        paused.add(queue);
      },
      async resume(): Promise<void> {
        paused.delete(queue);
      },
    };
  }

  const submit = Object.fromEntries(opts.providers.map((p) => [p, queueView(p)]));
  const queues = {
    providers: opts.providers,
    submit,
    submitQueue(provider: string) {
      const q = submit[provider];
      if (!q) throw new Error(`no submit queue for provider ${provider}`);
      return q;
    },
    settle: queueView(SETTLE),
    maintenance: queueView('maintenance'),
    all: () => [],
    async addSubmit(provider: string, id: string, round: number) {
      if (!submit[provider]) throw new Error(`no submit queue for provider ${provider}`);
      add(provider, 'submit', submitJobId(id, round), { id }, opts.submitAttempts, 0);
    },
    async addSubmitPart(provider: string, jobId: string, ids: readonly string[]) {
      if (!submit[provider]) throw new Error(`no submit queue for provider ${provider}`);
      add(provider, 'submit', jobId, { ids: [...ids] }, opts.submitAttempts, 0);
    },
    async addSettle(id: string, round: number, delayMs: number) {
      add(SETTLE, 'settle', settleJobId(id, round), { id, checks: 0 }, 1000, delayMs);
    },
    async presence(queue: { name: string }, id: string) {
      const job = jobs.get(key(queue.name, id));
      if (!job) return 'gone';
      return job.state === 'completed' || job.state === 'failed' ? job.state : 'live';
    },
    async close() {},
  };

  return {
    /** The processors' and the sweep's view; the casts stand for BullMQ's classes, of which only these members are used. */
    queues: queues as unknown as Queues,
    jobs,
    paused,
    /** Jobs a worker would take now, oldest first. */
    runnable(nowMs: number): FakeJob[] {
      return [...jobs.values()].filter(
        (j) => !paused.has(j.queue) && (j.state === 'waiting' || (j.state === 'delayed' && j.runAt <= nowMs)),
      );
    },
    asJob: (job: FakeJob) => job as unknown as Job,
    /**
     * A submit job no one should have added now: a sweep that read an older list, a job BullMQ
     * delivers again, a queue drained late after a failover. Its own id, so it always lands.
     */
    addStray(provider: string, id: string): void {
      add(provider, 'submit', `stray-${++strays}-${id}`, { id }, opts.submitAttempts, 0);
    },
  };
}

export type FakeQueues = ReturnType<typeof createFakeQueues>;
