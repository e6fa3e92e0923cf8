import { isRefusalStatus, isSuccess, parseJsonBody } from '../http/answer.ts';
import { gateSubmit, responseEvidence } from '../http/outcomes.ts';
import type { Scrubber } from '../http/scrub.ts';
import type { HttpResponse, HttpResult } from '../http/transport.ts';
import { AURPAY_STATUS, mapStatus } from '../status-tables.ts';
import type { SubmitOutcome } from '../types.ts';
import {
  envelopeSchema,
  feeMsatFromBtc,
  isRefusal,
  maybeTxIdSchema,
  refusalMessage,
  withdrawDataSchema,
} from './schemas.ts';

/**
 * One `POST /api/bln/withdraw` exchange → exactly one SubmitOutcome.
 *
 * Only Aurpay's own envelope can say "refused" (rejected = settled as failed,
 * invariant 2), so:
 * - 2xx or 4xx carrying a valid envelope with `code !== 0` or `result: false`
 *   and no `tx_id` → rejected. A 4xx envelope is the application answering
 *   "no", which is as explicit as a 2xx one.
 * - 404 and 408 → unknown even with an envelope: a missing route or a request
 *   timeout says nothing definite about this payment; reconcile instead.
 * - a 4xx without a parseable envelope → unknown: it may come from a proxy,
 *   CDN or WAF, and cannot prove the application did not act.
 * - a refusal envelope that carries a `tx_id`, or a success envelope on a 4xx,
 *   contradicts itself → unknown.
 * - 3xx, 5xx (with or without an envelope) → unknown.
 */

export interface AurpayOutcomeContext {
  now: Date;
  scrub: Scrubber;
}

export function aurpaySubmitOutcome(result: HttpResult, ctx: AurpayOutcomeContext): SubmitOutcome {
  const gated = gateSubmit(result, ctx.now);
  if ('outcome' in gated) return gated.outcome;
  const response = gated.response;

  if (!isSuccess(response.status) && !isRefusalStatus(response.status)) {
    return unknown(`HTTP ${response.status}`, response, ctx);
  }

  const json = parseJsonBody(response);
  if (!json.ok) return unknown(`HTTP ${response.status} with a body that is not JSON`, response, ctx);
  const envelope = envelopeSchema.safeParse(json.value);
  if (!envelope.success) return unknown(`HTTP ${response.status} without an Aurpay envelope`, response, ctx);
  const raw = ctx.scrub.json(json.value);

  if (isRefusal(envelope.data)) {
    if (maybeTxIdSchema.safeParse(envelope.data.data).success) {
      return { kind: 'unknown', reason: 'refusal that carries a tx_id: contradictory answer', raw };
    }
    return { kind: 'rejected', message: ctx.scrub.text(refusalMessage(envelope.data)), raw };
  }
  if (!isSuccess(response.status)) {
    return { kind: 'unknown', reason: `success envelope on HTTP ${response.status}: contradictory answer`, raw };
  }

  const data = withdrawDataSchema.safeParse(envelope.data.data);
  if (!data.success) return { kind: 'unknown', reason: 'code 0 without data.tx_id', raw };
  return {
    kind: 'accepted',
    // A missing status word maps to pending: the tx_id alone proves acceptance, lookups settle it.
    status: mapStatus(AURPAY_STATUS, data.data.status),
    providerRef: data.data.tx_id,
    feeMsat: feeMsatFromBtc(data.data.fee),
    raw,
  };
}

function unknown(reason: string, response: HttpResponse, ctx: AurpayOutcomeContext): SubmitOutcome {
  return { kind: 'unknown', reason, raw: responseEvidence(response, ctx.scrub) };
}
