import type { Queues } from '../queues/queues.ts';
import type { Status } from '../withdrawals/status.ts';
import type { DailyUsage, OpenBatch, WithdrawalStore } from '../withdrawals/store.ts';
import type { ProviderName } from '../withdrawals/types.ts';

/** Everything the shared gauges report, read from Redis at scrape time so every process agrees. */
export interface Snapshot {
  inStatus: Record<ProviderName, Record<Status, number>>;
  oldestUnknownAgeSeconds: Record<ProviderName, number>;
  oldestAwaitingApprovalAgeSeconds: Record<ProviderName, number>;
  breakerOpen: Record<ProviderName, boolean>;
  queueJobs: { queue: string; counts: Record<string, number> }[];
  openBatches: OpenBatch[];
  /** Today's (UTC) accepted amount and count of each known producer. */
  daily: { producer: string; usage: DailyUsage }[];
}

export interface SnapshotDeps {
  store: WithdrawalStore;
  queues: Queues;
  /** Most unfinished batches reported (newest first). */
  maxBatches: number;
  /** The producers whose daily budgets are reported (the configured tokens' names). */
  producers?: readonly string[];
  now(): number;
}

async function perProvider<T>(providers: readonly ProviderName[], read: (p: ProviderName) => Promise<T>): Promise<Record<ProviderName, T>> {
  return Object.fromEntries(await Promise.all(providers.map(async (p) => [p, await read(p)] as const)));
}

export async function readSnapshot(deps: SnapshotDeps): Promise<Snapshot> {
  const { store, queues } = deps;
  const ageIn = (status: Status) => async (p: ProviderName) => {
    const since = await store.oldestIn(p, status);
    return since === null ? 0 : Math.max(0, (deps.now() - since) / 1000);
  };
  const [inStatus, oldestUnknownAgeSeconds, oldestAwaitingApprovalAgeSeconds, breakerOpen, queueJobs, openBatches, daily] = await Promise.all([
    store.countByStatus(queues.providers),
    perProvider(queues.providers, ageIn('unknown')),
    perProvider(queues.providers, ageIn('awaiting_approval')),
    // The breaker is the paused submit queue: auth errors pause it, an operator resumes it.
    perProvider(queues.providers, (p) => queues.submitQueue(p).isPaused()),
    Promise.all(queues.all().map(async (q) => ({ queue: q.name, counts: await q.getJobCounts() }))),
    store.openBatches(deps.maxBatches),
    Promise.all((deps.producers ?? []).map(async (producer) => ({ producer, usage: await store.dailyUsage(producer) }))),
  ]);
  return { inStatus, oldestUnknownAgeSeconds, oldestAwaitingApprovalAgeSeconds, breakerOpen, queueJobs, openBatches, daily };
}
