import type { Failure } from './types.ts';

/** Why a withdrawal failed or waits for an operator: one wording per code (interface.md, `failure`). */
export const FAILURE_WORDING = {
  provider_rejected: 'the provider refused the payment',
  provider_failed: 'the provider reports the payment failed',
  outcome_unknown: 'the outcome of the provider call is unknown; reconciling',
  worker_lost: 'the worker stopped while the provider call was in flight; reconciling',
  reconciliation_exhausted: 'no definitive provider status before the reconciliation deadline',
  approval_expired: 'the invoice expires before the withdrawal was approved',
  lnurl_unreachable: 'the Lightning Address server gave no usable answer in time; nothing was sent',
  lnurl_refused: 'the Lightning Address server refused to give an invoice; nothing was sent',
  lnurl_invalid: 'the Lightning Address server answered with something that cannot be paid; nothing was sent',
  lnurl_forbidden: 'the Lightning Address host resolves to a non-public address; nothing was sent',
} as const;

export type FailureCode = keyof typeof FAILURE_WORDING;

/** A failure with its code's wording, the detail (a provider's message, a reason) after it, and the evidence. */
export function failureOf(code: FailureCode, detail: string | null = null, evidence: unknown = null): Failure {
  const wording = FAILURE_WORDING[code];
  return { code, message: detail ? `${wording}: ${detail}` : wording, provider: evidence ?? null };
}
