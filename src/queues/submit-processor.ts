import { randomUUID } from 'node:crypto';
import { UnrecoverableError, type Job } from 'bullmq';
import type { Logger } from '../logger.ts';
import type { ProviderClient, SubmitOutcome } from '../providers/types.ts';
import type { WithdrawalStore } from '../withdrawals/store.ts';
import type { ProviderName } from '../withdrawals/types.ts';
import { submitJobSchema } from './jobs.ts';
import { submitEffect } from './outcome-effects.ts';

export interface SubmitDeps {
  provider: ProviderName;
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
  return async (job: Job): Promise<string> => {
    const parsed = submitJobSchema.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`submit job ${job.id} has malformed data`);
    const { id } = parsed.data;
    const rec = await deps.store.getFields(id);
    if (!rec) throw new UnrecoverableError(`withdrawal ${id} does not exist`);
    if (rec.status !== 'queued') return `skipped: ${rec.status}`;

    const fence = randomUUID();
    const fenced = await deps.store.transition(id, {
      from: 'queued',
      to: 'submitting',
      newFence: fence,
      countAttempt: true,
      cause: `submit attempt (job ${job.id}, try ${job.attemptsMade + 1})`,
    });
    if (!fenced.ok) return `skipped: ${fenced.current ?? 'missing'}`;

    const log = deps.logger.child({ withdrawalId: id, provider: deps.provider, batchId: rec.batchId ?? null });
    const outcome = await deps.client.submit({
      withdrawalId: id,
      invoice: rec.invoice ?? null,
      address: rec.address ?? null,
      paymentHash: rec.paymentHash ?? null,
      amountMsat: rec.sendAmountMsat ? BigInt(rec.sendAmountMsat) : null,
      description: rec.description ?? null,
    });
    const effect = submitEffect(deps.provider, outcome);
    const done = await deps.store.transition(id, {
      from: 'submitting',
      to: effect.to,
      fence,
      updates: effect.updates,
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
    if (effect.settle) await deps.scheduleSettle(id, Number(rec.round ?? 0));
    if (outcome.kind === 'not_sent') {
      throw await deps.onNotSent(outcome);
    }
    return effect.to;
  };
}
