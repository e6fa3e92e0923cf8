import { randomUUID } from 'node:crypto';
import { UnrecoverableError, WaitingError, type Job } from 'bullmq';
import type { Logger } from '../logger.ts';
import type { ProviderCapabilities } from '../providers/definition.ts';
import type { ProviderClient, SubmitOutcome } from '../providers/types.ts';
import type { WithdrawalStore } from '../withdrawals/store.ts';
import { isTerminal, type Status } from '../withdrawals/status.ts';
import type { ProviderName } from '../withdrawals/types.ts';
import { tagActiveSpan } from '../telemetry/attributes.ts';
import { submitJobSchema } from './jobs.ts';
import { failoverTarget, failoverUpdates } from './failover.ts';
import { movedAmountUpdate, submitEffect } from './outcome-effects.ts';

export interface SubmitDeps {
  provider: ProviderName;
  /** What the provider's definition says it does (its "paid" on submit settles only with `settlesOnSubmit`). */
  capabilities: Pick<ProviderCapabilities, 'settlesOnSubmit'>;
  client: ProviderClient;
  store: WithdrawalStore;
  logger: Logger;
  /** Schedules the first settlement check. */
  scheduleSettle(id: string, round: number): Promise<void>;
  /**
   * The request never reached the provider. Returns the error to throw so BullMQ retries the job:
   * a rate-limit error (Retry-After, credentials) or a plain retry with backoff.
   */
  onNotSent(outcome: Extract<SubmitOutcome, { kind: 'not_sent' }>): Promise<Error>;
  /** Observes every outcome (metrics, breaker); awaited, so a breaker opens before the next job. */
  onOutcome?(outcome: SubmitOutcome): Promise<void> | void;
  /**
   * Takes a request from the provider's fleet-wide budget (its definition's rate limit variable): null to
   * go on, or the error to throw so BullMQ puts the job back until there is room (no attempt spent).
   */
  throttle?(): Promise<Error | null>;
  /** This worker moved the withdrawal (accepted at `createdAt`, ISO) to a terminal status (metrics). */
  onTerminal?(status: Status, createdAt: string): void;
  /**
   * True once the worker is closing. BullMQ still runs jobs it fetched before close(); such a job
   * goes back to wait without a provider call, so a stopping process starts no new payment.
   */
  stopping?(): boolean;
  /** Providers enabled in this deployment: where a withdrawal routed `auto` may fail over to. */
  enabledProviders?: readonly ProviderName[];
  /** Queues the submit job of a withdrawal that failed over to `provider`. */
  requeue?(provider: ProviderName, id: string, round: number): Promise<void>;
  /** A withdrawal routed `auto` moved from one provider to the next (metrics). */
  onFailover?(from: ProviderName, to: ProviderName): void;
}

/** Thrown so BullMQ retries the job with backoff: the request provably never left. */
export class NotSentError extends Error {
  override name = 'NotSentError';
}

/**
 * Submits one withdrawal: fence it (`queued -> submitting` with a new attempt token), make exactly
 * one provider call, record the outcome under the same fence. Never calls the provider for a
 * record that is not `queued`, so a duplicate or retried job cannot pay twice.
 */
export function createSubmitProcessor(deps: SubmitDeps) {
  return async (job: Job, token?: string): Promise<string> => {
    const parsed = submitJobSchema.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`submit job ${job.id} has malformed data`);
    const { id } = parsed.data;
    const rec = await deps.store.read(id);
    if (!rec) throw new UnrecoverableError(`withdrawal ${id} does not exist`);
    tagActiveSpan({ id, provider: deps.provider, status: rec.status, batchId: rec.batchId });
    if (rec.status !== 'queued') return `skipped: ${rec.status}`;
    // Provider and batch never change: the transitions below need not read them again.
    const known = { provider: rec.provider, batchId: rec.batchId };
    // Over the provider's request budget: back to the queue before the record is touched.
    const throttled = (await deps.throttle?.()) ?? null;
    if (throttled) throw throttled;

    const fence = randomUUID();
    const fenced = await deps.store.transition(id, {
      known,
      from: 'queued',
      to: 'submitting',
      newFence: fence,
      countAttempt: true,
      cause: `submit attempt (job ${job.id}, try ${job.attemptsMade + 1})`,
    });
    if (!fenced.ok) return `skipped: ${fenced.current ?? 'missing'}`;
    // Checked after the fence and right before the call: once close() has begun, no call starts.
    if (deps.stopping?.()) {
      await deps.store.transition(id, { known, from: 'submitting', to: 'queued', fence, cause: 'not sent: the worker is stopping' });
      await job.moveToWait(token);
      throw new WaitingError();
    }

    const log = deps.logger.child({ withdrawalId: id, provider: deps.provider, batchId: rec.batchId });
    const outcome = await deps.client.submit({
      withdrawalId: id,
      invoice: rec.invoice,
      address: rec.address,
      paymentHash: rec.paymentHash,
      amountMsat: rec.sendAmountMsat,
      description: rec.description,
    });
    const lastTry = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    const target = deps.requeue ? failoverTarget(rec, outcome, lastTry, deps.enabledProviders ?? []) : null;
    if (target && deps.requeue) {
      // Proven not sent: the same withdrawal and invoice go to the next provider of its route.
      const moved = await deps.store.transition(id, {
        known,
        from: 'submitting',
        to: 'queued',
        fence,
        toProvider: target.to,
        updates: failoverUpdates(rec, target.to),
        cause: `failover from ${deps.provider} (${target.reason}) to ${target.to}`,
      });
      await deps.onOutcome?.(outcome);
      // What a not-sent answer does to this provider still happens (refused credentials pause it);
      // the job itself is done: the withdrawal went on to the next provider.
      if (outcome.kind === 'not_sent') await deps.onNotSent(outcome);
      if (!moved.ok) return `fenced: ${moved.current ?? 'missing'}`;
      deps.onFailover?.(deps.provider, target.to);
      deps.logger.warn({ withdrawalId: id, from: deps.provider, to: target.to, reason: target.reason }, 'withdrawal failed over to the next provider');
      await deps.requeue(target.to, id, rec.round);
      return `failover: ${target.to}`;
    }
    const effect = submitEffect(deps.capabilities, outcome);
    const done = await deps.store.transition(id, {
      known,
      from: 'submitting',
      to: effect.to,
      fence,
      updates: outcome.kind === 'accepted' ? { ...effect.updates, ...movedAmountUpdate(rec, outcome) } : effect.updates,
      cause: effect.cause,
    });
    // After the outcome is safely recorded: metrics and the breaker (which may pause the queue).
    await deps.onOutcome?.(outcome);
    if (!done.ok) {
      // Someone (the sweep) already declared this attempt lost; reconciliation owns it now.
      log.warn({ outcome: outcome.kind, current: done.current }, 'submit outcome arrived after the attempt was fenced off');
      return `fenced: ${done.current ?? 'missing'}`;
    }
    log.info({ outcome: outcome.kind, status: effect.to }, 'submit finished');
    if (isTerminal(effect.to) && rec.createdAt) deps.onTerminal?.(effect.to, rec.createdAt);
    if (effect.settle) await deps.scheduleSettle(id, rec.round);
    if (outcome.kind === 'not_sent') {
      throw await deps.onNotSent(outcome);
    }
    return effect.to;
  };
}
