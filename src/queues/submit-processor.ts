import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { UnrecoverableError, WaitingError, type Job } from 'bullmq';
import type { Logger } from '../logger.ts';
import type { ProviderCapabilities } from '../providers/definition.ts';
import type { ProviderClient, SubmitOutcome } from '../providers/types.ts';
import type { RecordIdentity, WithdrawalStore } from '../withdrawals/store.ts';
import { failureOf } from '../withdrawals/failure.ts';
import type { RecordChange } from '../withdrawals/record-codec.ts';
import type { Withdrawal } from '../withdrawals/withdrawal.ts';
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
  /** Reads the record and moves it through the state machine: all a submit needs of the store. */
  store: Pick<WithdrawalStore, 'read' | 'transition'>;
  logger: Logger;
  /** Schedules the first settlement check: SETTLE_POLL_MS from now, or at once to confirm a success the provider answered. */
  scheduleSettle(id: string, round: number, atOnce?: boolean): Promise<void>;
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
  /** RECONCILE_GRACE_MS: a round's deadline is the invoice's expiry plus this. */
  reconcileGraceMs?: number;
  /** An on-chain round's reconciliation budget, from its submit. @defaultValue ADDRESS_RECONCILE_MS */
  addressReconcileMs?: number;
  /** Refusals the provider's definition lists as proof that nothing was sent (each sourced); others are checked by a lookup. */
  refusalProvesNotSent?(outcome: Extract<SubmitOutcome, { kind: 'rejected' }>): boolean;
  /** Refused credentials may send the withdrawal to the next provider (its definition says so). */
  authErrorFailsOver?: boolean;
  /**
   * Resolves a Lightning Address withdrawal without an invoice before its first provider call
   * (src/lnurl/submit-step.ts): `ready` with the record now holding its invoice, or `done` when it
   * ended (failed, nothing sent) or moved on. Absent: such a withdrawal is left alone.
   */
  resolveInvoice?(rec: Withdrawal, known: RecordIdentity): Promise<{ kind: 'ready'; rec: Withdrawal } | { kind: 'done'; result: string }>;
  /** How long to keep trying to record "not sent" after a fence write got no answer. */
  unfenceForMs?: number;
  /** The clock (Unix ms) a round's reconciliation deadline starts from. */
  now?: () => number;
  /** Waits between tries to record "not sent". @defaultValue a timer */
  pause?(ms: number): Promise<void>;
}

/** Thrown so BullMQ retries the job with backoff: the request provably never left. */
export class NotSentError extends Error {
  override name = 'NotSentError';
}

/** An on-chain withdrawal has no invoice expiry: its reconciliation budget runs from its submit. */
export const ADDRESS_RECONCILE_MS = 86_400_000;

/** How long a worker whose fence write got no answer keeps trying to record that it sent nothing. */
const UNFENCE_FOR_MS = 30_000;

/** A round's reconciliation deadline, set fresh at each fence: the invoice's expiry plus the grace, or a day from now on-chain. */
export function roundDeadline(rec: Pick<Withdrawal, 'expiresAt'>, nowMs: number, graceMs: number, addressMs = ADDRESS_RECONCILE_MS): number {
  return rec.expiresAt !== null && rec.expiresAt > 0 ? rec.expiresAt + graceMs : nowMs + addressMs;
}

/**
 * Submits one withdrawal: fence it (`queued -> submitting` with a new attempt token, for this
 * provider only), make exactly one provider call, record the outcome under the same fence. Never
 * calls the provider for a record that is not `queued` and routed to this provider, so a duplicate,
 * retried or stale job cannot pay twice.
 */
export function createSubmitProcessor(deps: SubmitDeps) {
  /**
   * The fence write got no answer (Redis went away): no call was made. Record that once Redis
   * answers again, so the withdrawal goes back to `queued` instead of being declared lost.
   */
  async function unfence(id: string, known: RecordIdentity, fence: string): Promise<void> {
    // Backing off to 2 s between tries: about UNFENCE_FOR_MS in all.
    const tries = Math.ceil((deps.unfenceForMs ?? UNFENCE_FOR_MS) / 2000) + 4;
    for (let n = 0, wait = 100; n < tries; n++, wait = Math.min(wait * 2, 2000)) {
      try {
        await deps.store.transition(id, { known, from: 'submitting', to: 'queued', fence, cause: `not sent: Redis did not confirm the fence; ${deps.provider} was not called` });
        return;
      } catch {
        await (deps.pause ?? sleep)(wait);
      }
    }
  }

  return async (job: Job, token?: string): Promise<string> => {
    const parsed = submitJobSchema.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`submit job ${job.id} has malformed data`);
    const { id } = parsed.data;
    let rec = await deps.store.read(id);
    if (!rec) throw new UnrecoverableError(`withdrawal ${id} does not exist`);
    tagActiveSpan({ id, provider: deps.provider, status: rec.status, batchId: rec.batchId });
    if (rec.status !== 'queued') return `skipped: ${rec.status}`;
    // A job of another provider's queue (a failover moved it on): never this provider's to pay.
    if (rec.provider !== deps.provider) return `skipped: routed to ${rec.provider}`;
    const known = { provider: rec.provider, batchId: rec.batchId };
    // A Lightning Address gets its invoice once, before any provider call; a stored one is never replaced.
    if (rec.invoice === null && rec.lightningAddress) {
      const step = deps.resolveInvoice ? await deps.resolveInvoice(rec, known) : { kind: 'done' as const, result: 'skipped: no Lightning Address resolver' };
      if (step.kind === 'done' || step.rec.invoice === null) return step.kind === 'done' ? step.result : 'skipped: unresolved';
      rec = step.rec;
    }
    // Over the provider's request budget: back to the queue before the record is touched.
    const throttled = (await deps.throttle?.()) ?? null;
    if (throttled) throw throttled;

    const fence = randomUUID();
    let fenced;
    try {
      fenced = await deps.store.transition(id, {
        known,
        provider: deps.provider,
        from: 'queued',
        to: 'submitting',
        newFence: fence,
        countAttempt: true,
        // A fresh round: a fresh reconciliation deadline, from this submit.
        change: { reconcileDeadline: roundDeadline(rec, (deps.now ?? Date.now)(), deps.reconcileGraceMs ?? 3_600_000, deps.addressReconcileMs) },
        cause: `submit attempt via ${deps.provider} (job ${job.id}, try ${job.attemptsMade + 1})`,
      });
    } catch (err) {
      await unfence(id, known, fence);
      throw err;
    }
    if (!fenced.ok) return `skipped: ${fenced.reason === 'wrong_provider' || fenced.reason === 'unapproved' ? fenced.reason : (fenced.current ?? 'missing')}`;
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
    // A refusal is believed only when the provider's own status agrees: a lookup that finds a
    // payment (an "already paid" may be our own earlier payment) settles by what it shows.
    if (outcome.kind === 'rejected' && !(deps.refusalProvesNotSent?.(outcome) ?? false)) {
      const contradicted = await checkRefusal(deps, rec, outcome);
      if (contradicted) {
        const done = await deps.store.transition(id, { known, from: 'submitting', to: contradicted.to, fence, change: contradicted.change, cause: contradicted.cause });
        await deps.onOutcome?.(outcome);
        if (!done.ok) return `fenced: ${done.current ?? 'missing'}`;
        log.warn({ to: contradicted.to }, 'provider refused, but its status says otherwise');
        if (isTerminal(contradicted.to) && rec.createdAt) deps.onTerminal?.(contradicted.to, rec.createdAt);
        if (contradicted.settle) await deps.scheduleSettle(id, rec.round);
        return contradicted.to;
      }
    }
    const lastTry = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    const target = deps.requeue ? failoverTarget(rec, outcome, lastTry, deps.enabledProviders ?? [], deps.authErrorFailsOver ?? false) : null;
    if (target && deps.requeue) {
      // Proven not sent: the same withdrawal and invoice go to the next provider of its route.
      const moved = await deps.store.transition(id, {
        known,
        from: 'submitting',
        to: 'queued',
        fence,
        toProvider: target.to,
        change: failoverUpdates(rec, target.to),
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
      change: outcome.kind === 'accepted' ? { ...effect.change, ...movedAmountUpdate(rec, outcome) } : effect.change,
      cause: `${effect.cause} (${deps.provider})`,
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
    if (effect.settle) await deps.scheduleSettle(id, rec.round, effect.confirmAtOnce ?? false);
    if (outcome.kind === 'not_sent') {
      throw await deps.onNotSent(outcome);
    }
    return effect.to;
  };
}

/**
 * After a refusal: the provider's status for this payment. Null when it shows no payment (the
 * refusal stands); otherwise the change it proves (paid, pending, or unknown when it cannot say).
 */
async function checkRefusal(
  deps: SubmitDeps,
  rec: Withdrawal,
  refusal: Extract<SubmitOutcome, { kind: 'rejected' }>,
): Promise<{ to: Status; change: RecordChange; cause: string; settle: boolean } | null> {
  const found = await deps.client.lookup({
    withdrawalId: rec.id,
    providerRef: null,
    paymentHash: rec.paymentHash,
    invoice: rec.invoice,
    amountMsat: rec.amountMsat,
  });
  if (found.kind === 'not_found') return null;
  if (found.kind === 'found' && found.status === 'failed') return null;
  if (found.kind === 'found') {
    const change: RecordChange = { ...movedAmountUpdate(rec, found) };
    if (found.providerRef) change.providerRef = found.providerRef;
    if (found.feeMsat !== null) change.feeMsat = found.feeMsat;
    if (found.status === 'succeeded') {
      return { to: 'succeeded', change: { ...change, failure: null }, cause: `${deps.provider} refused (${refusal.message}) but its status shows the payment made`, settle: false };
    }
    return { to: 'submitted', change, cause: `${deps.provider} refused (${refusal.message}) but its status shows the payment pending`, settle: true };
  }
  return {
    to: 'unknown',
    change: { failure: failureOf('outcome_unknown', `refused (${refusal.message}), and the lookup that would confirm it failed: ${found.reason}`, refusal.raw) },
    cause: `${deps.provider} refused, unconfirmed by its status: reconciling`,
    settle: true,
  };
}
