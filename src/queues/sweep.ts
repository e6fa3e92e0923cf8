import type { Logger } from '../logger.ts';
import type { WithdrawalStore } from '../withdrawals/store.ts';
import type { Status } from '../withdrawals/status.ts';
import type { Withdrawal } from '../withdrawals/withdrawal.ts';
import type { ProviderName } from '../withdrawals/types.ts';
import { approvalExpired, expireApproval } from '../withdrawals/operator.ts';
import { failureOf } from '../withdrawals/failure.ts';
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
  /** A withdrawal held for approval whose invoice expires within this is cancelled (`approval_expired`). */
  approvalExpiryMarginMs?: number;
}

/** The job of the batch part that carries a withdrawal's first round, if one does (a resubmitted round has its own). */
function partOf(w: Withdrawal): string | null {
  return w.round === 0 && w.job ? w.job : null;
}

export interface SweepReport {
  requeued: number;
  lost: number;
  settleJobs: number;
  /** Held for approval until their invoices would expire: cancelled. */
  expired: number;
  scanned: number;
}

/**
 * Finds withdrawals whose jobs vanished and gives them back: `queued` without a submit job,
 * `submitting` whose worker died (to `unknown`: never re-submitted), `submitted`/`unknown` without
 * a settle job. It reads only the non-terminal status sets, so its cost follows work in flight.
 */
export function createSweep(deps: SweepDeps) {
  const now = deps.now ?? Date.now;
  const batch = deps.batchSize ?? 1000;
  const providers = deps.providers ?? deps.queues.providers;

  /**
   * The record while it is still in `status`, else null. The id lists are read once per sweep and
   * a busy worker moves hundreds of their withdrawals on while the sweep walks them: a withdrawal
   * whose job finished after moving it must not get its job back.
   */
  async function stillIn(id: string, status: Status, provider: ProviderName): Promise<Withdrawal | null> {
    const w = await deps.store.read(id);
    // Routed to another provider since the list was read (a failover): not this provider's job to give back.
    return w !== null && w.status === status && w.provider === provider ? w : null;
  }

  /** Withdrawals held for approval whose invoices expire before they could be paid: cancelled, unasked. */
  async function expireApprovals(provider: ProviderName, report: SweepReport): Promise<void> {
    const marginMs = deps.approvalExpiryMarginMs ?? 0;
    for (const id of await deps.store.idsInStatus(provider, 'awaiting_approval', batch)) {
      report.scanned++;
      const w = await deps.store.read(id);
      if (!w || w.status !== 'awaiting_approval' || !approvalExpired(w, now(), marginMs)) continue;
      if (await expireApproval(deps, id, 'not approved before the invoice would expire')) {
        deps.logger.warn({ withdrawalId: id, provider }, 'withdrawal held for approval cancelled: its invoice expires (approval_expired)');
        report.expired++;
      }
    }
  }

  async function sweepProvider(provider: ProviderName, report: SweepReport): Promise<void> {
    await expireApprovals(provider, report);
    const queue = deps.queues.submitQueue(provider);
    for (const id of await deps.store.idsInStatusSince(provider, 'queued', now() - deps.orphanAfterMs, batch)) {
      report.scanned++;
      const w = await stillIn(id, 'queued', provider);
      if (w === null) continue;
      const r = w.round;
      const jobId = submitJobId(id, r);
      const state = await deps.queues.presence(queue, jobId);
      if (state === 'live') continue;
      // Carried by its batch part's job, still to run.
      const part = partOf(w);
      if (part && (await deps.queues.presence(queue, part)) === 'live') continue;
      // A submit job moves its record on before it finishes: still queued now means the job is gone.
      if ((await stillIn(id, 'queued', provider))?.round !== r) continue;
      if (state === 'failed') {
        const job = await queue.getJob(jobId);
        await job?.retry('failed');
      } else {
        if (state === 'completed') await queue.remove(jobId);
        await deps.queues.addSubmit(provider, id, r);
      }
      report.requeued++;
    }

    for (const id of await deps.store.idsInStatusSince(provider, 'submitting', now() - deps.lostSubmitAfterMs, batch)) {
      report.scanned++;
      const w = await deps.store.read(id);
      if (!w || w.status !== 'submitting' || w.provider !== provider) continue;
      if ((await queue.getJobState(submitJobId(id, w.round))) === 'active') continue;
      const part = partOf(w);
      if (part && (await queue.getJobState(part)) === 'active') continue;
      const res = await deps.store.transition(id, {
        from: 'submitting',
        to: 'unknown',
        fence: w.fence ?? '',
        change: { failure: failureOf('worker_lost') },
        cause: 'worker lost while submitting',
      });
      if (res.ok) {
        deps.logger.warn({ withdrawalId: id, provider }, 'submit attempt lost with its worker; reconciling, never resubmitting');
        await deps.queues.addSettle(id, w.round, 0);
        report.lost++;
      }
    }

    for (const status of ['submitted', 'unknown'] as const) {
      for (const id of await deps.store.idsInStatusSince(provider, status, now() - deps.orphanAfterMs, batch)) {
        report.scanned++;
        const w = await stillIn(id, status, provider);
        if (w === null) continue;
        const r = w.round;
        const jobId = settleJobId(id, r);
        const state = await deps.queues.presence(deps.queues.settle, jobId);
        if (state === 'live') continue;
        if ((await stillIn(id, status, provider))?.round !== r) continue;
        if (state === 'failed' || state === 'completed') await deps.queues.settle.remove(jobId);
        await deps.queues.addSettle(id, r, 0);
        report.settleJobs++;
      }
    }
  }

  return async function sweep(): Promise<SweepReport> {
    const report: SweepReport = { requeued: 0, lost: 0, settleJobs: 0, expired: 0, scanned: 0 };
    for (const p of providers) await sweepProvider(p, report);
    if (report.requeued || report.lost || report.settleJobs || report.expired) deps.logger.info(report, 'sweep restored jobs');
    return report;
  };
}
