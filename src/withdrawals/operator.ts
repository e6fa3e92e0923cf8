import { z } from 'zod';
import type { Queues } from '../queues/queues.ts';
import { apiError, invalidRequest, type ApiError } from './errors.ts';
import type { WithdrawalStore } from './store.ts';
import { PROVIDERS, type WithdrawalRecord } from './types.ts';

export const resolveBodySchema = z.strictObject({
  outcome: z.enum(['succeeded', 'failed', 'resubmit']),
  note: z.string().min(1, 'say why: the note is kept in the history').max(2000),
});

export const cancelBodySchema = z.strictObject({ note: z.string().max(2000).optional() }).optional();

export type ActionResult = { ok: true; record: WithdrawalRecord } | { ok: false; status: 400 | 404 | 409; error: ApiError };

export interface OperatorDeps {
  store: WithdrawalStore;
  queues: Queues;
}

async function finish(deps: OperatorDeps, id: string): Promise<ActionResult> {
  const record = await deps.store.get(id);
  if (!record) return { ok: false, status: 404, error: apiError('not_found', `no withdrawal ${id}`) };
  return { ok: true, record };
}

/** `queued -> cancelled`, only before any submit attempt holds the record. */
export async function cancelWithdrawal(deps: OperatorDeps, id: string, actor: string, body: unknown): Promise<ActionResult> {
  const parsed = cancelBodySchema.safeParse(body ?? undefined);
  if (!parsed.success) return { ok: false, status: 400, error: invalidRequest(parsed.error) };
  const res = await deps.store.transition(id, { from: 'queued', to: 'cancelled', cause: 'cancelled by operator', actor, note: parsed.data?.note });
  if (!res.ok) {
    if (res.reason === 'missing') return { ok: false, status: 404, error: apiError('not_found', `no withdrawal ${id}`) };
    return {
      ok: false,
      status: 409,
      error: apiError('invalid_state', `withdrawal ${id} is ${res.current}; only a queued withdrawal can be cancelled`),
    };
  }
  return finish(deps, id);
}

/** An operator's decision on a `needs_review` withdrawal, recorded with who and why. */
export async function resolveWithdrawal(deps: OperatorDeps, id: string, actor: string, body: unknown): Promise<ActionResult> {
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
    if (res.reason === 'missing') return { ok: false, status: 404, error: apiError('not_found', `no withdrawal ${id}`) };
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
