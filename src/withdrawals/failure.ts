import type { Failure } from './types.ts';

/** Why a withdrawal failed or waits for an operator: one wording per code (interface.md, `failure`). */
export const FAILURE_WORDING = {
  provider_rejected: 'the provider refused the payment',
  provider_failed: 'the provider reports the payment failed',
  outcome_unknown: 'the outcome of the provider call is unknown; reconciling',
  worker_lost: 'the worker stopped while the provider call was in flight; reconciling',
  reconciliation_exhausted: 'no definitive provider status before the reconciliation deadline',
  approval_expired: 'the invoice expires before the withdrawal was approved',
} as const;

export type FailureCode = keyof typeof FAILURE_WORDING;

/** A failure with its code's wording, the detail (a provider's message, a reason) after it, and the evidence. */
export function failureOf(code: FailureCode, detail: string | null = null, evidence: unknown = null): Failure {
  const wording = FAILURE_WORDING[code];
  return { code, message: detail ? `${wording}: ${detail}` : wording, provider: evidence ?? null };
}
