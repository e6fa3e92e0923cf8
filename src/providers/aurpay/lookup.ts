import { isSuccess, parseJsonBody } from '../http/answer.ts';
import { gateLookup, responseEvidence } from '../http/outcomes.ts';
import type { Scrubber } from '../http/scrub.ts';
import type { HttpResult } from '../http/transport.ts';
import { AURPAY_STATUS, mapStatus } from '../status-tables.ts';
import type { LookupOutcome, LookupRequest } from '../types.ts';
import { envelopeSchema, feeMsatFromBtc, isRefusal, refusalMessage, txPageSchema, txSchema, type AurpayTx } from './schemas.ts';

/**
 * Aurpay has no lookup by id: `GET /api/v2/tx` pages are read from page 1,
 * bounded by `maxPages` and the answer's `max_page`, and searched for
 * - `tx_id === providerRef` when we hold the provider's id, else
 * - `tx_hash === paymentHash` or `to_addr === invoice`, when the tx carries them
 *   (the submit answer was lost). Several different matches → error, never a guess.
 * Not in the pages read → `not_found`, which never settles (invariant 2).
 */

export interface AurpayLookupDeps {
  fetchPage(page: number, size: number): Promise<HttpResult>;
  pageSize: number;
  maxPages: number;
  now: () => Date;
  scrub: Scrubber;
}

type PageRead = { ok: true; items: unknown[]; maxPage: number | null } | { ok: false; outcome: LookupOutcome };

export async function aurpayLookup(deps: AurpayLookupDeps, request: LookupRequest): Promise<LookupOutcome> {
  const matcher = txMatcher(request);
  if (matcher === null) return { kind: 'error', reason: 'no providerRef, payment hash or invoice to match by' };

  const matches = new Map<string, AurpayTx>();
  let unreadable = 0;
  let pagesRead = 0;
  for (let page = 1; page <= deps.maxPages; page += 1) {
    const read = readPage(await deps.fetchPage(page, deps.pageSize), deps);
    if (!read.ok) return read.outcome;
    pagesRead = page;
    for (const item of read.items) {
      const tx = txSchema.safeParse(item);
      if (!tx.success) {
        unreadable += 1;
        continue;
      }
      if (matcher(tx.data)) matches.set(tx.data.tx_id ?? `#${matches.size}`, tx.data);
    }
    // tx_id is unique: the first match is the answer. Hash matches keep reading to spot duplicates.
    if (request.providerRef !== null && matches.size > 0) break;
    const lastPage = read.maxPage ?? (read.items.length < deps.pageSize ? page : null);
    if (lastPage !== null && page >= lastPage) break;
  }

  const found = [...matches.values()];
  if (found.length > 1) {
    return { kind: 'error', reason: `${found.length} transactions match the payment: ambiguous`, raw: deps.scrub.json(found) };
  }
  const [tx] = found;
  if (tx === undefined) {
    return unreadable > 0
      ? { kind: 'error', reason: `not found, but ${unreadable} transaction(s) in ${pagesRead} page(s) were unreadable` }
      : { kind: 'not_found', reason: `not in the first ${pagesRead} page(s) of /api/v2/tx` };
  }
  if (request.providerRef !== null && request.paymentHash !== null && tx.tx_hash && !sameText(tx.tx_hash, request.paymentHash)) {
    return { kind: 'error', reason: 'tx_id matches but tx_hash is another payment hash', raw: deps.scrub.json(tx) };
  }
  return {
    kind: 'found',
    status: mapStatus(AURPAY_STATUS, tx.status),
    providerRef: tx.tx_id ?? request.providerRef,
    feeMsat: feeMsatFromBtc(tx.fee),
    raw: deps.scrub.json(tx),
  };
}

function txMatcher(request: LookupRequest): ((tx: AurpayTx) => boolean) | null {
  const { providerRef, paymentHash, invoice } = request;
  if (providerRef !== null) return (tx) => tx.tx_id === providerRef;
  if (paymentHash === null && invoice === null) return null;
  return (tx) =>
    (paymentHash !== null && typeof tx.tx_hash === 'string' && sameText(tx.tx_hash, paymentHash)) ||
    (invoice !== null && typeof tx.to_addr === 'string' && sameText(tx.to_addr, invoice));
}

/** Hex hashes and BOLT11 strings are case-insensitive. */
function sameText(a: string, b: string): boolean {
  return a.trim().toLowerCase() === b.trim().toLowerCase();
}

function readPage(result: HttpResult, deps: AurpayLookupDeps): PageRead {
  const gated = gateLookup(result, deps.now());
  if ('outcome' in gated) return { ok: false, outcome: gated.outcome };
  const response = gated.response;
  const fail = (reason: string): PageRead => ({
    ok: false,
    outcome: { kind: 'error', reason, raw: responseEvidence(response, deps.scrub) },
  });
  if (!isSuccess(response.status)) return fail(`HTTP ${response.status} from /api/v2/tx`);
  const json = parseJsonBody(response);
  if (!json.ok) return fail('tx list body is not JSON');
  const envelope = envelopeSchema.safeParse(json.value);
  if (!envelope.success) return fail('tx list without an Aurpay envelope');
  if (isRefusal(envelope.data)) return fail(`tx list refused: ${deps.scrub.text(refusalMessage(envelope.data))}`);
  const page = txPageSchema.safeParse(envelope.data.data);
  if (!page.success) return fail('tx list data is not a page of transactions');
  return { ok: true, items: page.data.data, maxPage: page.data.max_page ?? null };
}
