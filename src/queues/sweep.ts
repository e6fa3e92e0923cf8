import type { Logger } from '../logger.ts';
import type { WithdrawalStore } from '../withdrawals/store.ts';
import { PROVIDERS, type ProviderName } from '../withdrawals/types.ts';
import { settleJobId, submitJobId } from './names.ts';
import type { Queues } from './queues.ts';

export interface SweepDeps {
  store: WithdrawalStore;
  queues: Queues;
  logger: Logger;
  /** A `submitting` record older than this whose job is no longer active was lost with its worker. */
  lostSubmitAfterMs: number;
  /** A `queued` record older than this with no live job gets its job back. */
  orphanAfterMs: number;
  batchSize?: number;
  now?: () => number;
  providers?: readonly ProviderName[];
}

export interface SweepReport {
  requeued: number;
  lost: number;
  settleJobs: number;
  scanned: number;
}

const LIVE = new Set(['active', 'waiting', 'waiting-children', 'delayed', 'prioritized', 'paused']);

/**
 * Finds withdrawals whose jobs vanished and gives them back: `queued` without a submit job,
 * `submitting` whose worker died (to `unknown`: never re-submitted), `submitted`/`unknown` without
 * a settle job. It reads only the non-terminal status sets, so its cost follows work in flight.
 */
export function createSweep(deps: SweepDeps) {
  const now = deps.now ?? Date.now;
  const batch = deps.batchSize ?? 1000;
  const providers = deps.providers ?? PROVIDERS;

  async function round(id: string): Promise<number> {
    const f = await deps.store.getFields(id);
    return Number(f?.round ?? 0);
  }

  async function sweepProvider(provider: ProviderName, report: SweepReport): Promise<void> {
    const queue = deps.queues.submit[provider];
    for (const id of await deps.store.idsInStatusSince(provider, 'queued', now() - deps.orphanAfterMs, batch)) {
      report.scanned++;
      const jobId = submitJobId(id, await round(id));
      const state = await queue.getJobState(jobId);
      if (LIVE.has(state)) continue;
      if (state === 'failed') {
        const job = await queue.getJob(jobId);
        await job?.retry('failed');
      } else {
        if (state === 'completed') await queue.remove(jobId);
        await deps.queues.addSubmit(provider, id, await round(id));
      }
      report.requeued++;
    }

    for (const id of await deps.store.idsInStatusSince(provider, 'submitting', now() - deps.lostSubmitAfterMs, batch)) {
      report.scanned++;
      const fields = await deps.store.getFields(id);
      if (!fields || fields.status !== 'submitting') continue;
      const jobId = submitJobId(id, Number(fields.round ?? 0));
      if ((await queue.getJobState(jobId)) === 'active') continue;
      const res = await deps.store.transition(id, {
        from: 'submitting',
        to: 'unknown',
        fence: fields.fence ?? '',
        updates: {
          failure: JSON.stringify({ code: 'worker_lost', message: 'the worker stopped while the provider call was in flight; reconciling', provider: null }),
        },
        cause: 'worker lost while submitting',
      });
      if (res.ok) {
        deps.logger.warn({ withdrawalId: id, provider }, 'submit attempt lost with its worker; reconciling, never resubmitting');
        await deps.queues.addSettle(id, Number(fields.round ?? 0), 0);
        report.lost++;
      }
    }

    for (const status of ['submitted', 'unknown'] as const) {
      for (const id of await deps.store.idsInStatusSince(provider, status, now() - deps.orphanAfterMs, batch)) {
        report.scanned++;
        const r = await round(id);
        const jobId = settleJobId(id, r);
        const state = await deps.queues.settle.getJobState(jobId);
        if (LIVE.has(state)) continue;
        if (state === 'failed' || state === 'completed') await deps.queues.settle.remove(jobId);
        await deps.queues.addSettle(id, r, 0);
        report.settleJobs++;
      }
    }
  }

  return async function sweep(): Promise<SweepReport> {
    const report: SweepReport = { requeued: 0, lost: 0, settleJobs: 0, scanned: 0 };
    for (const p of providers) await sweepProvider(p, report);
    if (report.requeued || report.lost || report.settleJobs) deps.logger.info(report, 'sweep restored jobs');
    return report;
  };
}
