import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import type { Logger } from '../logger.ts';
import type { LookupOutcome } from '../providers/types.ts';
import type { Status } from '../withdrawals/status.ts';
import type { WithdrawalStore } from '../withdrawals/store.ts';
import type { ProviderName } from '../withdrawals/types.ts';
import { tagActiveSpan } from '../telemetry/attributes.ts';
import { settleJobSchema } from './jobs.ts';
import { settleDecision } from './settle-decision.ts';
import type { ProviderLane } from './lane.ts';

export interface SettleDeps {
  /** The enabled providers' lanes: a record's lookup goes through its provider's client, within its budget. */
  lanes: ReadonlyMap<ProviderName, Pick<ProviderLane, 'client' | 'budget'>>;
  store: WithdrawalStore;
  logger: Logger;
  pollMs: number;
  pollMaxMs: number;
  now?: () => number;
  observe?: SettleObservers;
}

/** Metrics of settlement checks. */
export interface SettleObservers {
  lookup?(provider: ProviderName, outcome: LookupOutcome): void;
  /** This worker moved the withdrawal (accepted at `createdAt`, ISO) to a terminal status. */
  terminal?(provider: ProviderName, status: Status, createdAt: string): void;
}

/**
 * One settlement check: ask the provider, settle only on an explicit terminal status, otherwise
 * check again later (early, then backing off: lookup-policy.ts), and hand the withdrawal to an
 * operator once the budget is spent.
 */
export function createSettleProcessor(deps: SettleDeps) {
  const now = deps.now ?? Date.now;
  return async (job: Job, token?: string): Promise<string> => {
    const parsed = settleJobSchema.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`settle job ${job.id} has malformed data`);
    const { id, checks } = parsed.data;
    const rec = await deps.store.read(id);
    if (!rec) throw new UnrecoverableError(`withdrawal ${id} does not exist`);
    const { status, provider } = rec;
    tagActiveSpan({ id, provider, status, batchId: rec.batchId });
    if (status !== 'submitted' && status !== 'unknown') return `skipped: ${status}`;
    const lane = deps.lanes.get(provider);
    if (!lane) throw new Error(`provider ${provider} is not configured in this process`);
    const log = deps.logger.child({ withdrawalId: id, provider, batchId: rec.batchId });
    // Provider and batch never change: the transition need not read them again.
    const known = { provider, batchId: rec.batchId };
    // Over the provider's fleet-wide request budget: 0 to go on, else the ms to wait first.
    const waitMs = (await lane.budget?.take()) ?? 0;
    if (waitMs > 0) {
      // Over the provider's request budget: check again when there is room (jittered, so waiting
      // checks do not all come back at once); this does not count as a check.
      const delay = Math.max(waitMs, 100);
      await job.moveToDelayed(now() + delay + Math.floor(Math.random() * delay), token);
      throw new DelayedError();
    }

    const outcome = await lane.client.lookup({
      withdrawalId: id,
      providerRef: rec.providerRef,
      paymentHash: rec.paymentHash,
      invoice: rec.invoice,
      amountMsat: rec.amountMsat,
    });
    deps.observe?.lookup?.(provider, outcome);

    // BullMQ's creation time of this job: the schedule's start (a check that waited keeps it).
    const startedMs = Number.isFinite(job.timestamp) && job.timestamp > 0 ? job.timestamp : undefined;
    const decision = settleDecision({ rec, outcome, checks, nowMs: now(), startedMs, pollMs: deps.pollMs, pollMaxMs: deps.pollMaxMs });
    switch (decision.kind) {
      case 'settle': {
        const res = await deps.store.transition(id, { known, from: status, to: decision.to, change: decision.change, cause: decision.cause });
        log.info({ to: decision.to, ok: res.ok }, 'settled');
        if (res.ok && rec.createdAt) deps.observe?.terminal?.(provider, decision.to, rec.createdAt);
        return res.ok ? decision.to : `skipped: ${res.current ?? 'missing'}`;
      }
      case 'review': {
        const res = await deps.store.transition(id, { known, from: status, to: 'needs_review', change: decision.change, cause: decision.cause });
        log.error({ lookup: outcome.kind }, 'withdrawal needs review: its outcome could not be proven');
        if (res.ok && rec.createdAt) deps.observe?.terminal?.(provider, 'needs_review', rec.createdAt);
        return res.ok ? 'needs_review' : `skipped: ${res.current ?? 'missing'}`;
      }
      case 'wait':
        if (outcome.kind !== 'found') log.debug({ lookup: outcome.kind, reason: outcome.reason }, 'not settled yet');
        await job.updateData({ id, checks: checks + 1 });
        await job.moveToDelayed(now() + decision.delayMs, token);
        throw new DelayedError();
    }
  };
}
