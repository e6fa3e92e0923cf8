import { trace, type Attributes } from '@opentelemetry/api';

/** The instrumentation scope of every span the service makes. */
export const TRACER_NAME = 'withdrawals';

/**
 * Attribute names the service sets. Values are ids, names and status words only: never an invoice,
 * an address, a token, a key, a secret, a URL's query or metadata (architecture.md invariant 8).
 */
export const ATTR = {
  withdrawalId: 'withdrawal.id',
  provider: 'withdrawal.provider',
  status: 'withdrawal.status',
  batchId: 'withdrawal.batch_id',
  operation: 'provider.operation',
  outcome: 'provider.outcome',
  providerStatus: 'provider.status',
  refusal: 'withdrawal.refusal',
} as const;

export interface WithdrawalFacts {
  id?: string | null;
  provider?: string | null;
  status?: string | null;
  batchId?: string | null;
}

/** The withdrawal attributes of a span, leaving out what is unknown. */
export function withdrawalAttributes(w: WithdrawalFacts): Attributes {
  const out: Attributes = {};
  if (w.id) out[ATTR.withdrawalId] = w.id;
  if (w.provider) out[ATTR.provider] = w.provider;
  if (w.status) out[ATTR.status] = w.status;
  if (w.batchId) out[ATTR.batchId] = w.batchId;
  return out;
}

/** Names the withdrawal on the active span (a job's span); nothing when no span is active. */
export function tagActiveSpan(w: WithdrawalFacts): void {
  trace.getActiveSpan()?.setAttributes(withdrawalAttributes(w));
}
