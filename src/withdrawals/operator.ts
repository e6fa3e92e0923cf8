import { z } from 'zod';
import { mayAccess, type Caller } from '../callers.ts';
import type { Queues } from '../queues/queues.ts';
import { apiError, invalidRequest, type ApiError } from './errors.ts';
import type { WithdrawalStore } from './store.ts';
import { PROVIDERS, type WithdrawalRecord } from './types.ts';

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
  // The owner never changes after creation: checking it before the transition is race-free.
  if (!mayAccess(caller, await deps.store.owner(id))) return missing(id);
  const parsed = cancelBodySchema.safeParse(body ?? undefined);
  if (!parsed.success) return { ok: false, status: 400, error: invalidRequest(parsed.error) };
  const cause = caller.role === 'operator' ? 'cancelled by operator' : 'cancelled by producer';
  const res = await deps.store.transition(id, { from: 'queued', to: 'cancelled', cause, actor: caller.name, note: parsed.data?.note });
  if (!res.ok) {
    if (res.reason === 'missing') return missing(id);
    return {
      ok: false,
      status: 409,
      error: apiError('invalid_state', `withdrawal ${id} is ${res.current}; only a queued withdrawal can be cancelled`),
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
  const res = await deps.store.transition(id, {
    from: 'needs_review',
    to,
    cause: `resolved by operator: ${outcome}`,
    actor,
    note,
    newRound: outcome === 'resubmit',
    updates: outcome === 'succeeded' ? { failure: null } : {},
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
    const fields = await deps.store.getFields(id);
    const provider = PROVIDERS.find((p) => p === fields?.provider);
    if (provider) await deps.queues.addSubmit(provider, id, Number(fields?.round ?? 0));
  }
  return finish(deps, id);
}

/**
 * An operator's approval of a withdrawal held in `awaiting_approval`. Nothing is held for approval
 * yet (no approval threshold is configured), so every existing withdrawal answers `invalid_state`.
 */
export async function approveWithdrawal(deps: OperatorDeps, id: string, caller: Caller, body: unknown): Promise<ActionResult> {
  const refused = operatorsOnly(caller, 'approve');
  if (refused) return refused;
  const parsed = approveBodySchema.safeParse(body ?? undefined);
  if (!parsed.success) return { ok: false, status: 400, error: invalidRequest(parsed.error) };
  const record = await deps.store.get(id);
  if (!record) return missing(id);
  return {
    ok: false,
    status: 409,
    error: apiError('invalid_state', `withdrawal ${id} is ${record.status}; only an awaiting_approval withdrawal can be approved`),
  };
}
