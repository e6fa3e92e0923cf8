import { isSuccess, parseJsonBody } from '../http/answer.ts';
import { gateLookup, responseEvidence } from '../http/outcomes.ts';
import type { Scrubber } from '../http/scrub.ts';
import type { HttpResult } from '../http/transport.ts';
import { TURINPAY_STATUS, mapStatus } from '../status-tables.ts';
import type { LookupOutcome } from '../types.ts';
import { errorEnvelopeSchema, errorMessage, feeMsatFromSats, movedMsat, readWithdrawal, withdrawalRef } from './schemas.ts';
import { mismatch, type Expected } from './verify.ts';

/**
 * One `GET /withdrawals?id=` exchange → one LookupOutcome. 404 is `not_found`
 * (never failure: absence is not proof, invariant 2). An answer for another
 * payment (other id or payment hash) or network is an error. Transport, 5xx and bad bodies are errors.
 */
export function turinpayLookupOutcome(
  result: HttpResult,
  ctx: { now: Date; scrub: Scrubber; expected: Expected; askedId: string },
): LookupOutcome {
  const gated = gateLookup(result, ctx.now);
  if ('outcome' in gated) return gated.outcome;
  const response = gated.response;
  if (response.status === 404) {
    return { kind: 'not_found', reason: 'HTTP 404 from /withdrawals', raw: responseEvidence(response, ctx.scrub) };
  }
  const json = parseJsonBody(response);
  if (!isSuccess(response.status)) {
    const envelope = json.ok ? errorEnvelopeSchema.safeParse(json.value) : null;
    const said = envelope?.success ? `: ${ctx.scrub.text(errorMessage(envelope.data, response.status))}` : '';
    return { kind: 'error', reason: `HTTP ${response.status}${said}`, raw: responseEvidence(response, ctx.scrub) };
  }
  if (!json.ok) return { kind: 'error', reason: 'body is not JSON', raw: responseEvidence(response, ctx.scrub) };
  const raw = ctx.scrub.json(json.value);
  const withdrawal = readWithdrawal(json.value);
  const providerRef = withdrawal === null ? null : withdrawalRef(withdrawal);
  if (withdrawal === null || providerRef === null) return { kind: 'error', reason: 'answer without a withdrawal id', raw };
  const ids = [withdrawal.invoiceId, withdrawal.ln?.id, withdrawal.id];
  if (!ids.some((id) => typeof id === 'string' && id.toLowerCase() === ctx.askedId.toLowerCase())) {
    return { kind: 'error', reason: 'answer carries none of the id we asked for', raw };
  }
  const wrong = mismatch(withdrawal, ctx.expected);
  if (wrong !== null) return { kind: 'error', reason: wrong, raw };
  return {
    kind: 'found',
    status: mapStatus(TURINPAY_STATUS, withdrawal.status),
    providerRef,
    feeMsat: feeMsatFromSats(withdrawal.fees),
    amountMsat: movedMsat(withdrawal),
    raw,
  };
}
