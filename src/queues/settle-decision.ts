import type { LookupOutcome } from '../providers/types.ts';
import { failureOf } from '../withdrawals/failure.ts';
import type { RecordChange } from '../withdrawals/record-codec.ts';
import type { Withdrawal } from '../withdrawals/withdrawal.ts';
import { movedAmountUpdate } from './outcome-effects.ts';
import { nextCheckDelay } from './lookup-policy.ts';

/** What one settlement check does with the provider's answer (architecture.md, "Settlement"). */
export type SettleDecision =
  /** An explicit terminal status from the provider: the only answer that settles (invariant 2). */
  | { kind: 'settle'; to: 'succeeded' | 'failed'; change: RecordChange; cause: string }
  /** The reconciliation budget is spent without proof either way: an operator decides. */
  | { kind: 'review'; change: RecordChange; cause: string }
  /** Not settled yet (pending, not found, an error): check again after `delayMs`. */
  | { kind: 'wait'; delayMs: number };

export interface SettleInput {
  /** What the decision reads of the withdrawal. */
  rec: Pick<Withdrawal, 'providerRef' | 'address' | 'amountMsat' | 'reconcileDeadline'>;
  outcome: LookupOutcome;
  /** Checks made before this one (0-based). */
  checks: number;
  nowMs: number;
  /** When the settle job was created (Unix ms): checks are due on a schedule from it. Unknown: each waits its own delay. */
  startedMs?: number;
  pollMs: number;
  pollMaxMs: number;
}

function evidence(outcome: LookupOutcome) {
  return failureOf('reconciliation_exhausted', `last lookup: ${outcome.kind} (${'reason' in outcome ? outcome.reason : outcome.status})`, outcome.raw ?? null);
}

/**
 * The settle decision, pure: an explicit `succeeded`/`failed` settles; anything else waits for the
 * next check of the schedule in lookup-policy.ts (never sooner than a Retry-After), until the record's reconciliation
 * deadline, after which it goes to `needs_review` with the last answer as evidence. "Not found" is
 * never a failure: refunding on it is a known double-spend.
 */
export function settleDecision(input: SettleInput): SettleDecision {
  const { rec, outcome } = input;
  if (outcome.kind === 'found' && outcome.status !== 'pending') {
    const change: RecordChange = { ...movedAmountUpdate(rec, outcome) };
    if (outcome.providerRef && rec.providerRef === null) change.providerRef = outcome.providerRef;
    if (outcome.feeMsat !== null) change.feeMsat = outcome.feeMsat;
    change.failure = outcome.status === 'failed' ? failureOf('provider_failed', null, outcome.raw) : null;
    return { kind: 'settle', to: outcome.status, change, cause: `provider status ${outcome.status}` };
  }
  // No deadline (none was stored) counts as spent, as a missing field always did.
  if (input.nowMs >= (rec.reconcileDeadline ?? 0)) {
    return { kind: 'review', change: { failure: evidence(outcome) }, cause: 'reconciliation budget spent' };
  }
  const retryAfter = outcome.kind === 'error' ? (outcome.retryAfterMs ?? 0) : 0;
  const next = nextCheckDelay(input.checks + 1, input.nowMs, input.startedMs, input.pollMs, input.pollMaxMs);
  return { kind: 'wait', delayMs: Math.max(next, retryAfter) };
}
