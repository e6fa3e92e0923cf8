import { Queue, type ConnectionOptions, type JobsOptions, type Telemetry } from 'bullmq';
import { SETTLE_JOB_RETRY } from './lookup-policy.ts';
import { jobTraceOptions } from '../telemetry/tracing.ts';
import type { Keys } from '../keys.ts';
import type { ProviderName } from '../withdrawals/types.ts';
import { MAINTENANCE_QUEUE, SETTLE_QUEUE, settleJobId, submitJobId, submitQueueName } from './names.ts';
import { coalescingAdder } from './coalesce.ts';
import type { SettleJobData, SubmitJobData } from './jobs.ts';
import { jobPresence, type JobPresence } from './job-presence.ts';

export interface QueueSettings {
  submitAttempts: number;
  submitBackoffMs: number;
  /** How long finished jobs stay visible in the dashboard. */
  keepFinishedJobsS: number;
  /** At most this many completed jobs kept per queue. @defaultValue 10000 */
  keepFinishedJobs?: number;
  /** BullMQ's telemetry hooks (traces on): each job added carries its caller's trace context. */
  telemetry?: Telemetry;
  /** The providers, one submit queue each (the runtime's definitions). */
  providers: readonly ProviderName[];
}

export interface Queues {
  /** The providers these queues serve, one submit queue each. */
  providers: readonly ProviderName[];
  submit: Readonly<Record<ProviderName, Queue<SubmitJobData>>>;
  /** A provider's submit queue; throws for a provider these queues do not serve. */
  submitQueue(provider: ProviderName): Queue<SubmitJobData>;
  settle: Queue<SettleJobData>;
  maintenance: Queue;
  all(): Queue[];
  addSubmit(provider: ProviderName, id: string, round: number): Promise<void>;
  /** One submit job (`jobId`, of src/queues/names.ts `partJobId`) for round 0 of each of `ids`, paid one after the other. */
  addSubmitPart(provider: ProviderName, jobId: string, ids: readonly string[]): Promise<void>;
  addSettle(id: string, round: number, delayMs: number): Promise<void>;
  /** Whether a job of one of these queues is finished, still to run, or gone (src/queues/job-presence.ts). */
  presence(queue: Queue, jobId: string): Promise<JobPresence>;
  close(): Promise<void>;
}

export function createQueues(connection: ConnectionOptions, keys: Keys, settings: QueueSettings): Queues {
  const opts = { connection, prefix: keys.bullPrefix, ...(settings.telemetry ? { telemetry: settings.telemetry } : {}) };
  const finished = { age: settings.keepFinishedJobsS, count: settings.keepFinishedJobs ?? 10_000 };
  const submitDefaults: JobsOptions = {
    attempts: settings.submitAttempts,
    backoff: { type: 'exponential', delay: settings.submitBackoffMs },
    removeOnComplete: finished,
    removeOnFail: { age: settings.keepFinishedJobsS * 24 },
  };
  const providers = [...settings.providers];
  const submit = Object.fromEntries(
    providers.map((p) => [p, new Queue<SubmitJobData>(submitQueueName(p), { ...opts, defaultJobOptions: submitDefaults })]),
  ) as Record<ProviderName, Queue<SubmitJobData>>;
  const settle = new Queue<SettleJobData>(SETTLE_QUEUE, {
    ...opts,
    defaultJobOptions: { ...SETTLE_JOB_RETRY, removeOnComplete: true, removeOnFail: finished },
  });
  const maintenance = new Queue(MAINTENANCE_QUEUE, { ...opts, defaultJobOptions: { removeOnComplete: true, removeOnFail: 100 } });
  const all = () => [...Object.values(submit), settle, maintenance];
  const addToSubmit = new Map(Object.entries(submit).map(([p, q]) => [p, coalescingAdder(q)]));
  const addToSettle = coalescingAdder(settle);
  const submitAdder = (provider: ProviderName) => {
    const add = addToSubmit.get(provider);
    if (!add) throw new Error(`no submit queue for provider ${provider}`);
    return add;
  };
  return {
    providers,
    submit,
    submitQueue(provider) {
      const queue = submit[provider];
      if (!queue) throw new Error(`no submit queue for provider ${provider}`);
      return queue;
    },
    settle,
    maintenance,
    all,
    async addSubmit(provider, id, round) {
      await submitAdder(provider)('submit', { id }, { jobId: submitJobId(id, round), ...jobTraceOptions(settings.telemetry) });
    },
    async addSubmitPart(provider, jobId, ids) {
      await submitAdder(provider)('submit', { ids: [...ids] }, { jobId, ...jobTraceOptions(settings.telemetry) });
    },
    async addSettle(id, round, delayMs) {
      await addToSettle('settle', { id, checks: 0 }, { jobId: settleJobId(id, round), delay: delayMs, ...jobTraceOptions(settings.telemetry) });
    },
    presence: jobPresence,
    async close() {
      await Promise.all(all().map((q) => q.close()));
    },
  };
}
