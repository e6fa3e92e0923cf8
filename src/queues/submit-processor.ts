import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { RateLimitError, UnrecoverableError, WaitingError, type Job } from 'bullmq';
import type { Logger } from '../logger.ts';
import type { ProviderClient, SubmitOutcome } from '../providers/types.ts';
import type { RecordIdentity, TransitionResult, WithdrawalStore } from '../withdrawals/store.ts';
import { failureOf } from '../withdrawals/failure.ts';
import type { RecordChange } from '../withdrawals/record-codec.ts';
import type { Withdrawal } from '../withdrawals/withdrawal.ts';
import { isTerminal, type Status } from '../withdrawals/status.ts';
import type { ProviderName } from '../withdrawals/types.ts';
import { tagActiveSpan } from '../telemetry/attributes.ts';
import { submitJobSchema } from './jobs.ts';
import { runPart, STOPPED } from './submit-part.ts';
import { failoverTarget, failoverUpdates } from './failover.ts';
import { movedAmountUpdate, submitEffect } from './outcome-effects.ts';
import type { Lanes, ProviderLane } from './lane.ts';
import type { Queues } from './queues.ts';

export interface SubmitDeps {
  /** The provider this processor pays through: its client, capabilities, budget, breaker. */
  lane: ProviderLane;
  /** Every enabled provider's lane (this one among them): where a withdrawal routed `auto` may fail over to. */
  lanes: Lanes;
  /** Reads the record and moves it through the state machine: all a submit needs of the store. */
  store: Pick<WithdrawalStore, 'read' | 'transition'>;
  /** Where the first settlement check goes. */
  queues: Pick<Queues, 'addSettle'>;
  /** The worker running the jobs: whether it is closing, and the queue-wide rate limit. */
  worker: SubmitWorker;
  logger: Logger;
  observe?: SubmitObservers;
  settings: SubmitSettings;
  /**
   * Resolves a Lightning Address withdrawal without an invoice before its first provider call
   * (src/lnurl/submit-step.ts): `ready` with the record now holding its invoice, or `done` when it
   * ended (failed, nothing sent) or moved on. Absent: such a withdrawal is left alone.
   */
  resolveInvoice?(rec: Withdrawal, known: RecordIdentity): Promise<{ kind: 'ready'; rec: Withdrawal } | { kind: 'done'; result: string }>;
  /** The clock (Unix ms) a round's reconciliation deadline starts from. */
  now?: () => number;
  /** Waits between tries to record "not sent". @defaultValue a timer */
  pause?(ms: number): Promise<void>;
}

export interface SubmitSettings {
  /** SETTLE_POLL_MS: the first settlement check comes this long after an acceptance (at once to confirm a success). */
  pollMs: number;
  /** RECONCILE_GRACE_MS: a round's deadline is the invoice's expiry plus this. @defaultValue an hour */
  reconcileGraceMs?: number;
  /** An on-chain round's reconciliation budget, from its submit. @defaultValue ADDRESS_RECONCILE_MS */
  addressReconcileMs?: number;
  /** How long to keep trying to record "not sent" after a fence write got no answer. */
  unfenceForMs?: number;
}

/** What a submit needs of the BullMQ worker running it. */
export interface SubmitWorker {
  /**
   * True once the worker is closing. BullMQ still runs jobs it fetched before close(); such a job
   * goes back to wait without a provider call, so a stopping process starts no new payment.
   */
  stopping(): boolean;
  /** Holds the provider's submit queue for `ms`, across every worker process, not only this one. */
  rateLimit(ms: number): Promise<void>;
}

/** Metrics of submits. */
export interface SubmitObservers {
  /** Every submit outcome. */
  submit?(provider: ProviderName, outcome: SubmitOutcome): void;
  /** This worker moved the withdrawal (accepted at `createdAt`, ISO) to a terminal status. */
  terminal?(provider: ProviderName, status: Status, createdAt: string): void;
  /** A withdrawal routed `auto` moved from one provider to the next. */
  failover?(from: ProviderName, to: ProviderName): void;
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
  const { lane, settings } = deps;
  const provider = lane.name;

  /** After the outcome is recorded: metrics and the breaker, awaited so that a breaker opens before the next job. */
  async function observeOutcome(outcome: SubmitOutcome): Promise<void> {
    deps.observe?.submit?.(provider, outcome);
    await lane.breaker.record(outcome).catch((err: unknown) => deps.logger.error({ err, provider }, 'circuit breaker update failed'));
  }

  /**
   * The request never reached the provider. The error to throw so BullMQ retries the job: a
   * rate-limit error (refused credentials pause the provider; a Retry-After holds its queue), or a
   * plain retry with backoff.
   */
  async function notSent(outcome: Extract<SubmitOutcome, { kind: 'not_sent' }>): Promise<Error> {
    if (outcome.authError) {
      deps.logger.error({ provider, reason: outcome.reason }, 'provider refused our credentials: pausing its submit queue');
      await lane.breaker.open(`credentials refused: ${outcome.reason}`);
      return new RateLimitError();
    }
    if (outcome.retryAfterMs !== undefined) {
      // Rate-limits the whole queue across every worker process, not only this one.
      await deps.worker.rateLimit(outcome.retryAfterMs);
      return new RateLimitError();
    }
    return new NotSentError(outcome.reason);
  }

  /**
   * Takes a request from the provider's fleet-wide budget: null to go on, or the error to throw so
   * BullMQ puts the job back until there is room (no attempt spent).
   */
  async function throttle(): Promise<Error | null> {
    const waitMs = lane.budget ? await lane.budget.take() : 0;
    if (waitMs === 0) return null;
    // Not less than a tenth of a second: a few ms would bring every waiting job straight back.
    await deps.worker.rateLimit(Math.max(waitMs, 100));
    return new RateLimitError();
  }

  /** The first settlement check: SETTLE_POLL_MS from now, or at once to confirm a success the provider answered. */
  function scheduleSettle(id: string, round: number, atOnce = false): Promise<void> {
    return deps.queues.addSettle(id, round, atOnce ? 0 : settings.pollMs);
  }

  function terminal(status: Status, createdAt: string): void {
    deps.observe?.terminal?.(provider, status, createdAt);
  }

  /**
   * The fence write got no answer (Redis went away): no call was made. Record that once Redis
   * answers again, so the withdrawal goes back to `queued` instead of being declared lost.
   */
  async function unfence(id: string, known: RecordIdentity, fence: string): Promise<void> {
    // Backing off to 2 s between tries: about UNFENCE_FOR_MS in all.
    const tries = Math.ceil((settings.unfenceForMs ?? UNFENCE_FOR_MS) / 2000) + 4;
    for (let n = 0, wait = 100; n < tries; n++, wait = Math.min(wait * 2, 2000)) {
      try {
        await deps.store.transition(id, { known, from: 'submitting', to: 'queued', fence, cause: `not sent: Redis did not confirm the fence; ${provider} was not called` });
        return;
      } catch {
        await (deps.pause ?? sleep)(wait);
      }
    }
  }

  /** The job back to its queue, no attempt spent: a stopping worker's, or what is left of a part (src/queues/submit-part.ts). */
  async function backToQueue(job: Job, token: string | undefined): Promise<never> {
    await job.moveToWait(token);
    throw new WaitingError();
  }

  /** One withdrawal: fence, one provider call, its outcome recorded under the fence. In a part, a missing record is skipped, not the part's end. */
  async function submitOne(job: Job, token: string | undefined, id: string, inPart = false): Promise<string> {
    let rec = await deps.store.read(id);
    if (!rec && inPart) return 'skipped: missing';
    if (!rec) throw new UnrecoverableError(`withdrawal ${id} does not exist`);
    tagActiveSpan({ id, provider, status: rec.status, batchId: rec.batchId });
    if (rec.status !== 'queued') return `skipped: ${rec.status}`;
    // A job of another provider's queue (a failover moved it on): never this provider's to pay.
    if (rec.provider !== provider) return `skipped: routed to ${rec.provider}`;
    const known = { provider: rec.provider, batchId: rec.batchId };
    // A Lightning Address gets its invoice once, before any provider call; a stored one is never replaced.
    if (rec.invoice === null && rec.lightningAddress) {
      const step = deps.resolveInvoice ? await deps.resolveInvoice(rec, known) : { kind: 'done' as const, result: 'skipped: no Lightning Address resolver' };
      if (step.kind === 'done' || step.rec.invoice === null) return step.kind === 'done' ? step.result : 'skipped: unresolved';
      rec = step.rec;
    }
    // Over the provider's request budget: back to the queue before the record is touched.
    const throttled = await throttle();
    if (throttled) throw throttled;

    const fence = randomUUID();
    let fenced;
    try {
      fenced = await deps.store.transition(id, {
        known,
        provider,
        from: 'queued',
        to: 'submitting',
        newFence: fence,
        countAttempt: true,
        // What was read of this round pays in it only: a resubmit since then is a conflict.
        round: rec.round,
        // A fresh round: a fresh reconciliation deadline, from this submit.
        change: { reconcileDeadline: roundDeadline(rec, (deps.now ?? Date.now)(), settings.reconcileGraceMs ?? 3_600_000, settings.addressReconcileMs) },
        cause: `submit attempt via ${provider} (job ${job.id}, try ${job.attemptsMade + 1})`,
      });
    } catch (err) {
      await unfence(id, known, fence);
      throw err;
    }
    if (!fenced.ok) return `skipped: ${fenceRefusal(fenced)}`;
    // Checked after the fence and right before the call: once close() has begun, no call starts.
    if (deps.worker.stopping()) {
      await deps.store.transition(id, { known, from: 'submitting', to: 'queued', fence, cause: 'not sent: the worker is stopping' });
      if (inPart) return STOPPED;
      await backToQueue(job, token);
    }

    const log = deps.logger.child({ withdrawalId: id, provider, batchId: rec.batchId });
    const outcome = await lane.client.submit({
      withdrawalId: id,
      invoice: rec.invoice,
      address: rec.address,
      paymentHash: rec.paymentHash,
      amountMsat: rec.sendAmountMsat,
      description: rec.description,
    });
    // A refusal is believed only when the provider's own status agrees: a lookup that finds a
    // payment (an "already paid" may be our own earlier payment) settles by what it shows.
    if (outcome.kind === 'rejected' && !(lane.refusalProvesNotSent?.(outcome) ?? false)) {
      const contradicted = await checkRefusal(lane, rec, outcome);
      if (contradicted) {
        const done = await deps.store.transition(id, { known, from: 'submitting', to: contradicted.to, fence, change: contradicted.change, cause: contradicted.cause });
        await observeOutcome(outcome);
        if (!done.ok) return `fenced: ${done.current ?? 'missing'}`;
        log.warn({ to: contradicted.to }, 'provider refused, but its status says otherwise');
        if (isTerminal(contradicted.to) && rec.createdAt) terminal(contradicted.to, rec.createdAt);
        if (contradicted.settle) await scheduleSettle(id, rec.round);
        return contradicted.to;
      }
    }
    const lastTry = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    const target = failoverTarget(rec, outcome, lastTry, [...deps.lanes.keys()], lane.authErrorFailsOver ?? false);
    const next = target ? deps.lanes.get(target.to) : undefined;
    if (target && next) {
      // Proven not sent: the same withdrawal and invoice go to the next provider of its route.
      const moved = await deps.store.transition(id, {
        known,
        from: 'submitting',
        to: 'queued',
        fence,
        toProvider: target.to,
        change: failoverUpdates(rec, target.to),
        cause: `failover from ${provider} (${target.reason}) to ${target.to}`,
      });
      await observeOutcome(outcome);
      // What a not-sent answer does to this provider still happens (refused credentials pause it);
      // the job itself is done: the withdrawal went on to the next provider.
      if (outcome.kind === 'not_sent') await notSent(outcome);
      if (!moved.ok) return `fenced: ${moved.current ?? 'missing'}`;
      deps.observe?.failover?.(provider, target.to);
      deps.logger.warn({ withdrawalId: id, from: provider, to: target.to, reason: target.reason }, 'withdrawal failed over to the next provider');
      await next.queue.add(id, rec.round);
      return `failover: ${target.to}`;
    }
    const effect = submitEffect(lane.capabilities, outcome);
    const done = await deps.store.transition(id, {
      known,
      from: 'submitting',
      to: effect.to,
      fence,
      change: outcome.kind === 'accepted' ? { ...effect.change, ...movedAmountUpdate(rec, outcome) } : effect.change,
      cause: `${effect.cause} (${provider})`,
    });
    // After the outcome is safely recorded: metrics and the breaker (which may pause the queue).
    await observeOutcome(outcome);
    if (!done.ok) {
      // Someone (the sweep) already declared this attempt lost; reconciliation owns it now.
      log.warn({ outcome: outcome.kind, current: done.current }, 'submit outcome arrived after the attempt was fenced off');
      return `fenced: ${done.current ?? 'missing'}`;
    }
    log.info({ outcome: outcome.kind, status: effect.to }, 'submit finished');
    if (isTerminal(effect.to) && rec.createdAt) terminal(effect.to, rec.createdAt);
    if (effect.settle) await scheduleSettle(id, rec.round, effect.confirmAtOnce ?? false);
    if (outcome.kind === 'not_sent') {
      throw await notSent(outcome);
    }
    return effect.to;
  }

  return async (job: Job, token?: string): Promise<string> => {
    const parsed = submitJobSchema.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`submit job ${job.id} has malformed data`);
    if (!('ids' in parsed.data)) return submitOne(job, token, parsed.data.id);
    // A batch part (src/queues/submit-part.ts): each withdrawal as if it had this job alone.
    return runPart(parsed.data.ids, {
      submitOne: (id) => submitOne(job, token, id, true),
      isNotSent: (err) => err instanceof NotSentError,
      stopping: () => deps.worker.stopping(),
      keep: (ids) => job.updateData({ ids }),
      back: () => backToQueue(job, token),
    });
  };
}

/** Why a fence was refused, as a skipped job says it: the record's status, or what else stood in the way. */
function fenceRefusal(refused: Extract<TransitionResult, { ok: false }>): string {
  if (refused.reason === 'wrong_provider' || refused.reason === 'unapproved') return refused.reason;
  // Still queued, yet a conflict: it is in a round after the one read (an operator resubmitted it).
  if (refused.reason === 'conflict' && refused.current === 'queued') return 'resubmitted';
  return refused.current ?? 'missing';
}

/**
 * After a refusal: the provider's status for this payment. Null when it shows no payment (the
 * refusal stands); otherwise the change it proves (paid, pending, or unknown when it cannot say).
 */
async function checkRefusal(
  lane: Pick<ProviderLane, 'name' | 'client'>,
  rec: Withdrawal,
  refusal: Extract<SubmitOutcome, { kind: 'rejected' }>,
): Promise<{ to: Status; change: RecordChange; cause: string; settle: boolean } | null> {
  const found = await lane.client.lookup({
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
      return { to: 'succeeded', change: { ...change, failure: null }, cause: `${lane.name} refused (${refusal.message}) but its status shows the payment made`, settle: false };
    }
    return { to: 'submitted', change, cause: `${lane.name} refused (${refusal.message}) but its status shows the payment pending`, settle: true };
  }
  return {
    to: 'unknown',
    change: { failure: failureOf('outcome_unknown', `refused (${refusal.message}), and the lookup that would confirm it failed: ${found.reason}`, refusal.raw) },
    cause: `${lane.name} refused, unconfirmed by its status: reconciling`,
    settle: true,
  };
}
