import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import type { Logger } from '../logger.ts';
import type { LookupOutcome, ProviderClient } from '../providers/types.ts';
import type { Status } from '../withdrawals/status.ts';
import type { WithdrawalStore } from '../withdrawals/store.ts';
import { PROVIDERS, type ProviderName } from '../withdrawals/types.ts';
import { tagActiveSpan } from '../telemetry/attributes.ts';
import { settleJobSchema } from './jobs.ts';
import { movedAmountUpdate } from './outcome-effects.ts';

export interface SettleDeps {
  clients: Partial<Record<ProviderName, ProviderClient>>;
  store: WithdrawalStore;
  logger: Logger;
  pollMs: number;
  pollMaxMs: number;
  now?: () => number;
  onLookup?(provider: ProviderName, outcome: LookupOutcome): void;
  /** Takes a request from the provider's fleet-wide budget: 0 to go on, else the ms to wait first. */
  throttle?(provider: ProviderName): Promise<number>;
  /** This worker moved the withdrawal (accepted at `createdAt`, ISO) to a terminal status (metrics). */
  onTerminal?(provider: ProviderName, status: Status, createdAt: string): void;
}

/** Delay before check number `checks` (0-based): SETTLE_POLL_MS doubling, capped. */
export function settleDelay(checks: number, pollMs: number, pollMaxMs: number): number {
  return Math.min(pollMs * 2 ** Math.min(checks, 30), pollMaxMs);
}

function evidence(outcome: LookupOutcome): string {
  return JSON.stringify({
    code: 'reconciliation_exhausted',
    message: `no definitive provider status before the reconciliation deadline; last lookup: ${outcome.kind} (${'reason' in outcome ? outcome.reason : outcome.status})`,
    provider: outcome.raw ?? null,
  });
}

/**
 * One settlement check: ask the provider, settle only on an explicit terminal status, otherwise
 * check again later (backing off), and hand the withdrawal to an operator once the budget is spent.
 */
export function createSettleProcessor(deps: SettleDeps) {
  const now = deps.now ?? Date.now;
  return async (job: Job, token?: string): Promise<string> => {
    const parsed = settleJobSchema.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`settle job ${job.id} has malformed data`);
    const { id, checks } = parsed.data;
    const rec = await deps.store.getFields(id);
    if (!rec) throw new UnrecoverableError(`withdrawal ${id} does not exist`);
    const status = rec.status as Status;
    tagActiveSpan({ id, provider: rec.provider, status, batchId: rec.batchId });
    if (status !== 'submitted' && status !== 'unknown') return `skipped: ${status}`;
    const provider = PROVIDERS.find((p) => p === rec.provider);
    const client = provider ? deps.clients[provider] : undefined;
    if (!provider || !client) throw new Error(`provider ${rec.provider} is not configured in this process`);
    const log = deps.logger.child({ withdrawalId: id, provider, batchId: rec.batchId ?? null });
    // Provider and batch never change: the transition need not read them again.
    const known = { provider, batchId: rec.batchId ?? null };
    const waitMs = (await deps.throttle?.(provider)) ?? 0;
    if (waitMs > 0) {
      // Over the provider's request budget: check again when there is room (jittered, so waiting
      // checks do not all come back at once); this does not count as a check.
      const delay = Math.max(waitMs, 100);
      await job.moveToDelayed(now() + delay + Math.floor(Math.random() * delay), token);
      throw new DelayedError();
    }

    const outcome = await client.lookup({
      withdrawalId: id,
      providerRef: rec.providerRef ?? null,
      paymentHash: rec.paymentHash ?? null,
      invoice: rec.invoice ?? null,
      amountMsat: rec.amountMsat ? BigInt(rec.amountMsat) : null,
    });
    deps.onLookup?.(provider, outcome);

    if (outcome.kind === 'found' && outcome.status !== 'pending') {
      const updates: Record<string, string | null> = {};
      if (outcome.providerRef && !rec.providerRef) updates.providerRef = outcome.providerRef;
      if (outcome.feeMsat !== null) updates.feeMsat = outcome.feeMsat.toString();
      Object.assign(updates, movedAmountUpdate(rec, outcome));
      if (outcome.status === 'failed') {
        updates.failure = JSON.stringify({ code: 'provider_failed', message: 'the provider reports the payment failed', provider: outcome.raw });
      } else {
        updates.failure = null;
      }
      const res = await deps.store.transition(id, { known, from: status, to: outcome.status, updates, cause: `provider status ${outcome.status}` });
      log.info({ to: outcome.status, ok: res.ok }, 'settled');
      if (res.ok && rec.createdAt) deps.onTerminal?.(provider, outcome.status, rec.createdAt);
      return res.ok ? outcome.status : `skipped: ${res.current ?? 'missing'}`;
    }

    if (now() >= Number(rec.reconcileDeadline ?? 0)) {
      const res = await deps.store.transition(id, {
        known,
        from: status,
        to: 'needs_review',
        updates: { failure: evidence(outcome) },
        cause: 'reconciliation budget spent',
      });
      log.error({ lookup: outcome.kind }, 'withdrawal needs review: its outcome could not be proven');
      if (res.ok && rec.createdAt) deps.onTerminal?.(provider, 'needs_review', rec.createdAt);
      return res.ok ? 'needs_review' : `skipped: ${res.current ?? 'missing'}`;
    }

    const retryAfter = outcome.kind === 'error' ? (outcome.retryAfterMs ?? 0) : 0;
    const delay = Math.max(settleDelay(checks + 1, deps.pollMs, deps.pollMaxMs), retryAfter);
    if (outcome.kind !== 'found') log.debug({ lookup: outcome.kind, reason: outcome.reason }, 'not settled yet');
    await job.updateData({ id, checks: checks + 1 });
    await job.moveToDelayed(now() + delay, token);
    throw new DelayedError();
  };
}
