import { isRefusalStatus, isSuccess, parseJsonBody } from '../http/answer.ts';
import { gateSubmit, responseEvidence } from '../http/outcomes.ts';
import type { Scrubber } from '../http/scrub.ts';
import type { HttpResponse, HttpResult } from '../http/transport.ts';
import { TURINPAY_STATUS, mapStatus } from '../status-tables.ts';
import type { SubmitOutcome } from '../types.ts';
import { errorEnvelopeSchema, errorMessage, feeMsatFromSats, movedMsat, readWithdrawal, withdrawalRef } from './schemas.ts';
import { mismatch, type Expected } from './verify.ts';

/**
 * One `POST /withdrawals` exchange → exactly one SubmitOutcome.
 *
 * - 2xx with a withdrawal object (bare or `{ data }`) that has an id and is
 *   for our payment and network → accepted. Without an id, for another
 *   payment or network, or `{ success: false }` on a 2xx (contradictory) → unknown.
 * - 400 (and other 4xx except 401/403/404/408/429) with TurinPay's error
 *   envelope `{ success: false }` → rejected: the API's documented refusal.
 *   The same status without that envelope (proxy page, garbage) → unknown.
 * - 404 → unknown: a missing route most likely means nothing happened, but a
 *   404 cannot prove it (e.g. an object missing after work started).
 * - 3xx, 5xx → unknown.
 */

export interface TurinpayOutcomeContext {
  now: Date;
  scrub: Scrubber;
  expected: Expected;
}

export function turinpaySubmitOutcome(result: HttpResult, ctx: TurinpayOutcomeContext): SubmitOutcome {
  const gated = gateSubmit(result, ctx.now);
  if ('outcome' in gated) return gated.outcome;
  const response = gated.response;

  if (isRefusalStatus(response.status)) {
    const json = parseJsonBody(response);
    const envelope = json.ok ? errorEnvelopeSchema.safeParse(json.value) : null;
    if (json.ok && envelope?.success) {
      return {
        kind: 'rejected',
        message: ctx.scrub.text(errorMessage(envelope.data, response.status)),
        raw: ctx.scrub.json(json.value),
      };
    }
    return unknown(`HTTP ${response.status} without a TurinPay error body`, response, ctx);
  }
  if (!isSuccess(response.status)) return unknown(`HTTP ${response.status}`, response, ctx);

  const json = parseJsonBody(response);
  if (!json.ok) return unknown(`HTTP ${response.status} with a body that is not JSON`, response, ctx);
  const raw = ctx.scrub.json(json.value);
  const withdrawal = readWithdrawal(json.value);
  const providerRef = withdrawal === null ? null : withdrawalRef(withdrawal);
  if (withdrawal === null || providerRef === null) {
    return { kind: 'unknown', reason: `HTTP ${response.status} without a withdrawal id`, raw };
  }
  const wrong = mismatch(withdrawal, ctx.expected);
  if (wrong !== null) return { kind: 'unknown', reason: wrong, raw };
  return {
    kind: 'accepted',
    // A missing status word maps to pending: the id proves acceptance, lookups settle it.
    status: mapStatus(TURINPAY_STATUS, withdrawal.status),
    providerRef,
    feeMsat: feeMsatFromSats(withdrawal.fees),
    amountMsat: movedMsat(withdrawal),
    raw,
  };
}

function unknown(reason: string, response: HttpResponse, ctx: TurinpayOutcomeContext): SubmitOutcome {
  return { kind: 'unknown', reason, raw: responseEvidence(response, ctx.scrub) };
}
