import type { LookupOutcome, SubmitOutcome } from '../types.ts';
import { gatewayAnswer } from './answer.ts';
import { rawExcerpt, type Scrubber } from './scrub.ts';
import type { HttpResponse, HttpResult } from './transport.ts';

/**
 * The part of outcome mapping every provider shares: transport failures
 * (classified in errors.ts), 401/403 and 429. What is left is an HTTP answer
 * for the provider's own mapping.
 */

export type Gated<T> = { outcome: T } | { response: HttpResponse };

export function gateSubmit(result: HttpResult, now: Date): Gated<SubmitOutcome> {
  if (!result.ok) {
    return result.failure === 'not_sent'
      ? { outcome: { kind: 'not_sent', reason: result.reason } }
      : { outcome: { kind: 'unknown', reason: result.reason } };
  }
  const gateway = gatewayAnswer(result.response, now);
  if (gateway === null) return { response: result.response };
  if (gateway.kind === 'auth') return { outcome: { kind: 'not_sent', reason: gateway.reason, authError: true } };
  return {
    outcome:
      gateway.retryAfterMs === undefined
        ? { kind: 'not_sent', reason: gateway.reason }
        : { kind: 'not_sent', reason: gateway.reason, retryAfterMs: gateway.retryAfterMs },
  };
}

export function gateLookup(result: HttpResult, now: Date): Gated<LookupOutcome> {
  if (!result.ok) return { outcome: { kind: 'error', reason: result.reason } };
  const gateway = gatewayAnswer(result.response, now);
  if (gateway === null) return { response: result.response };
  if (gateway.kind === 'auth') return { outcome: { kind: 'error', reason: gateway.reason, authError: true } };
  return {
    outcome:
      gateway.retryAfterMs === undefined
        ? { kind: 'error', reason: gateway.reason }
        : { kind: 'error', reason: gateway.reason, retryAfterMs: gateway.retryAfterMs },
  };
}

/** Evidence of an answer we could not use: status and a scrubbed, 2 KB body excerpt. */
export function responseEvidence(response: HttpResponse, scrub: Scrubber): Record<string, unknown> {
  return { httpStatus: response.status, body: rawExcerpt(scrub.text(response.text)), truncated: response.truncated };
}
