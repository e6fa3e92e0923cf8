import { z } from 'zod';
import { approvalsNeeded, mayAccess, type Caller } from '../callers.ts';
import type { Queues } from '../queues/queues.ts';
import { apiError, invalidRequest, type ApiError } from './errors.ts';
import type { WithdrawalStore } from './store.ts';
import type { WithdrawalRecord } from './types.ts';
import type { Withdrawal } from './withdrawal.ts';
import type { MoneyPolicy } from './enqueue.ts';
import { failureOf } from './failure.ts';

export const resolveBodySchema = z.strictObject({
  outcome: z.enum(['succeeded', 'failed', 'resubmit']),
  note: z.string().min(1, 'say why: the note is kept in the history').max(2000),
});

export const cancelBodySchema = z.strictObject({ note: z.string().max(2000).optional() }).optional();

export const approveBodySchema = z.strictObject({ note: z.string().max(2000).optional() }).optional();

export type ActionResult = { ok: true; record: WithdrawalRecord } | { ok: false; status: 400 | 403 | 404 | 409; error: ApiError };

export interface OperatorDeps {
  store: WithdrawalStore;
  queues: Queues;
  policy?: MoneyPolicy;
  /** The clock (Unix ms) invoice expiry is judged by. @defaultValue Date.now */
  now?: () => number;
}

/** The answer for a withdrawal that does not exist, or that the caller may not see: the same words. */
export function noWithdrawal(id: string): ApiError {
  return apiError('not_found', `no withdrawal ${id}`);
}

const missing = (id: string): ActionResult => ({ ok: false, status: 404, error: noWithdrawal(id) });

/** Resolve and approve are operators' decisions: a producer is refused before anything is read. */
function operatorsOnly(caller: Caller, action: string): ActionResult | null {
  if (caller.role === 'operator') return null;
  return { ok: false, status: 403, error: apiError('forbidden', `only operators (OPERATOR_TOKENS) may ${action} a withdrawal; nothing was changed`) };
}

async function finish(deps: OperatorDeps, id: string): Promise<ActionResult> {
  const record = await deps.store.get(id);
  if (!record) return missing(id);
  return { ok: true, record };
}

/** `queued -> cancelled`, only before any submit attempt holds the record: a producer its own, an operator any. */
export async function cancelWithdrawal(deps: OperatorDeps, id: string, caller: Caller, body: unknown): Promise<ActionResult> {
  // One read: the owner, provider and batch never change after creation, so checking them before
  // the transition is race-free; the status is the one the compare-and-set expects.
  const w = await deps.store.read(id);
  if (!w || !mayAccess(caller, w.owner)) return missing(id);
  const parsed = cancelBodySchema.safeParse(body ?? undefined);
  if (!parsed.success) return { ok: false, status: 400, error: invalidRequest(parsed.error) };
  const cause = caller.role === 'operator' ? 'cancelled by operator' : 'cancelled by producer';
  // From the status read once: racing an approval, exactly one of the two wins.
  const from = w.status === 'awaiting_approval' ? 'awaiting_approval' : 'queued';
  const known = { provider: w.provider, batchId: w.batchId };
  const res = await deps.store.transition(id, { known, from, to: 'cancelled', cause, actor: caller.name, note: parsed.data?.note });
  if (!res.ok) {
    if (res.reason === 'missing') return missing(id);
    return {
      ok: false,
      status: 409,
      error: apiError('invalid_state', `withdrawal ${id} is ${res.current}; only a queued or awaiting_approval withdrawal can be cancelled`),
    };
  }
  return finish(deps, id);
}

/** An operator's decision on a `needs_review` withdrawal, recorded with who and why. */
export async function resolveWithdrawal(deps: OperatorDeps, id: string, caller: Caller, body: unknown): Promise<ActionResult> {
  const refused = operatorsOnly(caller, 'resolve');
  if (refused) return refused;
  const actor = caller.name;
  const parsed = resolveBodySchema.safeParse(body);
  if (!parsed.success) return { ok: false, status: 400, error: invalidRequest(parsed.error) };
  const { outcome, note } = parsed.data;
  const to = outcome === 'resubmit' ? 'queued' : outcome;
  if (outcome === 'resubmit') {
    // A new round pays the same invoice: not one that expires before it could be paid.
    const w = await deps.store.read(id);
    if (w && w.status === 'needs_review' && approvalExpired(w, (deps.now ?? Date.now)(), deps.policy?.expiryMarginMs ?? 0)) {
      return { ok: false, status: 409, error: apiError('invalid_state', `withdrawal ${id}: its invoice expires before it could be paid; it cannot be resubmitted`) };
    }
  }
  const res = await deps.store.transition(id, {
    from: 'needs_review',
    to,
    cause: `resolved by operator: ${outcome}`,
    actor,
    note,
    newRound: outcome === 'resubmit',
    // A resubmit starts a clean round: nothing of the previous round's transaction, fee, failure or
    // deadline (the fence sets a fresh one) can settle the new one.
    change:
      outcome === 'resubmit'
        ? { providerRef: null, feeMsat: null, failure: null, reconcileDeadline: null }
        : outcome === 'succeeded'
          ? { failure: null }
          : {},
  });
  if (!res.ok) {
    if (res.reason === 'missing') return missing(id);
    return {
      ok: false,
      status: 409,
      error: apiError('invalid_state', `withdrawal ${id} is ${res.current}; only a needs_review withdrawal can be resolved`),
    };
  }
  if (outcome === 'resubmit') {
    // A new round gets a new submit job id: the old round's job may still be kept as completed.
    const w = await deps.store.read(id);
    if (w) await deps.queues.addSubmit(w.provider, id, w.round);
  }
  return finish(deps, id);
}

/** Cancels a withdrawal held for approval whose invoice expires before it can be paid. */
export async function expireApproval(deps: OperatorDeps, id: string, cause: string): Promise<boolean> {
  const res = await deps.store.transition(id, {
    from: 'awaiting_approval',
    to: 'cancelled',
    cause,
    change: { failure: failureOf('approval_expired') },
  });
  return res.ok;
}

/** Whether a held withdrawal's invoice expires within the margin (an address never does). */
export function approvalExpired(w: Pick<Withdrawal, 'expiresAt'>, nowMs: number, marginMs: number): boolean {
  return w.expiresAt !== null && w.expiresAt > 0 && w.expiresAt - marginMs <= nowMs;
}

/**
 * An operator's approval of a withdrawal held in `awaiting_approval`, written to its history with
 * the operator's name and note. With the last approval needed (APPROVALS_REQUIRED distinct operators,
 * not counting the one who created it) it moves to `queued` in the same step, and its submit job is
 * queued. One whose invoice would expire first is cancelled (`approval_expired`) instead.
 */
export async function approveWithdrawal(deps: OperatorDeps, id: string, caller: Caller, body: unknown): Promise<ActionResult> {
  const refused = operatorsOnly(caller, 'approve');
  if (refused) return refused;
  const parsed = approveBodySchema.safeParse(body ?? undefined);
  if (!parsed.success) return { ok: false, status: 400, error: invalidRequest(parsed.error) };
  const w = await deps.store.read(id);
  if (!w) return missing(id);
  const policy = deps.policy;
  if (w.status === 'awaiting_approval' && approvalExpired(w, (deps.now ?? Date.now)(), policy?.expiryMarginMs ?? 0)) {
    await expireApproval(deps, id, 'approval came after the invoice expired');
    return { ok: false, status: 409, error: apiError('invalid_state', `withdrawal ${id}: its invoice expires before it could be paid; it was cancelled (approval_expired)`) };
  }
  const required = approvalsNeeded({ approvalsRequired: policy?.approvalsRequired ?? 1 }, w.address !== null);
  const res = await deps.store.approve(id, caller.name.toLowerCase(), parsed.data?.note ?? null, required);
  switch (res.kind) {
    case 'missing':
      return missing(id);
    case 'invalid_state':
      return { ok: false, status: 409, error: apiError('invalid_state', `withdrawal ${id} is ${res.current}; only an awaiting_approval withdrawal can be approved`) };
    case 'own':
      return { ok: false, status: 409, error: apiError('invalid_state', `withdrawal ${id} was created by ${caller.name}; another operator must approve it`) };
    case 'already':
      return { ok: false, status: 409, error: apiError('invalid_state', `${caller.name} approved withdrawal ${id} already; another operator must approve it`) };
    case 'queued': {
      await deps.queues.addSubmit(w.provider, id, w.round);
      return finish(deps, id);
    }
    case 'approved':
      return finish(deps, id);
  }
}
