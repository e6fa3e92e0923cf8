import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Dispatcher } from 'undici';
import { decodeInvoice } from '../invoices/decode.ts';
import { InvoiceError } from '../invoices/errors.ts';
import type { Network } from '../invoices/network.ts';
import type { DecodedInvoice } from '../invoices/types.ts';
import { outboundRequest, urlRefusal } from '../net/outbound.ts';
import { parseDestination } from './destination.ts';

/**
 * Resolving a Lightning Address into an invoice (LUD-16, then LUD-06; interface.md, "Lightning
 * Addresses"): the payRequest, its bounds, its callback with the amount, and the invoice checked for
 * this network, exactly this amount and enough time left. Every request goes through the outbound
 * policy (src/net/outbound.ts). A server that does not answer (no connection, a time-out, 5xx, 429) is
 * asked again with backoff until the deadline; any other wrong answer ends it at once. Storing the
 * invoice (and refusing a payment hash another withdrawal holds) is the caller's, in one atomic step.
 */

export type LnurlFailureCode = 'lnurl_unreachable' | 'lnurl_refused' | 'lnurl_invalid' | 'lnurl_forbidden';

export type Resolution =
  | { ok: true; invoice: string; paymentHash: string; expiresAt: number; descriptionHashMatches: boolean; attempts: number }
  | { ok: false; code: LnurlFailureCode; message: string; attempts: number }
  /** The worker began to stop while waiting to ask again: nothing decided, the next job resolves it. */
  | { ok: false; code: null; message: string; attempts: number };

export interface ResolverSettings {
  /** The outbound agent (createOutboundAgent with LNURL_TIMEOUT_MS and LNURL_ALLOW_PRIVATE). */
  dispatcher: Dispatcher;
  /** LNURL_TIMEOUT_MS: one request. */
  timeoutMs: number;
  /** LNURL_RESOLVE_DEADLINE_MS: how long an unanswering server is retried, from the first attempt. */
  deadlineMs: number;
  /** LNURL_ALLOW_PRIVATE. */
  allowPrivate: boolean;
  /** LN_NETWORK. */
  network: Network;
  /** INVOICE_EXPIRY_MARGIN_S. */
  expiryMarginSeconds: number;
  /** First wait between attempts (doubling, at most 30 s). @defaultValue 500 */
  backoffMs?: number;
  now?: () => number;
  /** When the first attempt of this withdrawal's resolution began (Unix ms), if earlier than now: the deadline runs from it. */
  startedAt?: number;
  pause?: (ms: number) => Promise<void>;
  /** True once the worker is closing: no new wait between attempts starts, so a stop is not held up by a silent server. */
  stopping?: () => boolean;
}

class Stopped extends Error {}

class Stop extends Error {
  constructor(
    readonly code: LnurlFailureCode,
    message: string,
  ) {
    super(message);
  }
}

const MAX_BACKOFF_MS = 30_000;

/** One round of requests against the same deadline, counting attempts. */
function createFetcher(s: ResolverSettings) {
  const now = s.now ?? Date.now;
  const pause = s.pause ?? ((ms: number) => sleep(ms));
  const start = Math.min(s.startedAt ?? now(), now());
  let attempts = 0;

  /** The JSON object a URL answers with, asking again while the server does not answer. */
  async function getJson(url: string, what: string): Promise<Record<string, unknown>> {
    const refused = urlRefusal(url, { allowPrivate: s.allowPrivate });
    if (refused) throw new Stop(refused.kind === 'forbidden' ? 'lnurl_forbidden' : 'lnurl_invalid', `${what}: ${refused.message}`);
    for (let wait = s.backoffMs ?? 500; ; wait = Math.min(wait * 2, MAX_BACKOFF_MS)) {
      attempts++;
      const res = await outboundRequest(url, { dispatcher: s.dispatcher, timeoutMs: s.timeoutMs, headers: { accept: 'application/json' } });
      if (res.kind === 'forbidden') throw new Stop('lnurl_forbidden', `${what}: ${res.message}`);
      let unanswered: string | null = null;
      if (res.kind === 'unreachable') unanswered = res.message;
      else if (res.status >= 500 || res.status === 429) unanswered = `HTTP ${res.status}`;
      if (unanswered === null && res.kind === 'answer') return readAnswer(res, what);
      const left = s.deadlineMs - (now() - start);
      if (left <= 0) throw new Stop('lnurl_unreachable', `${what}: ${unanswered} (gave up after ${attempts} attempts, LNURL_RESOLVE_DEADLINE_MS=${s.deadlineMs})`);
      if (s.stopping?.()) throw new Stopped(`${what}: ${unanswered}; the worker is stopping`);
      await pause(Math.min(wait, left));
    }
  }

  return { getJson, attempts: () => attempts };
}

/** A server's answer as a JSON object; `{"status":"ERROR"}` is its refusal, whatever the HTTP status. */
function readAnswer(res: { status: number; body: string | null }, what: string): Record<string, unknown> {
  if (res.status >= 300 && res.status < 400) throw new Stop('lnurl_invalid', `${what}: HTTP ${res.status}, a redirect, which is not followed`);
  if (res.body === null) throw new Stop('lnurl_invalid', `${what}: an answer larger than 64 KiB`);
  let json: unknown;
  try {
    json = JSON.parse(res.body);
  } catch {
    throw new Stop('lnurl_invalid', `${what}: HTTP ${res.status}, not JSON`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new Stop('lnurl_invalid', `${what}: HTTP ${res.status}, not a JSON object`);
  const obj = json as Record<string, unknown>;
  if (typeof obj.status === 'string' && obj.status.toUpperCase() === 'ERROR') {
    const reason = typeof obj.reason === 'string' ? obj.reason.slice(0, 300) : 'no reason given';
    throw new Stop('lnurl_refused', `${what}: ${reason}`);
  }
  if (res.status < 200 || res.status >= 300) throw new Stop('lnurl_invalid', `${what}: HTTP ${res.status}`);
  return obj;
}

/** msat bound of a payRequest: a non-negative integer (a number or a string of digits). */
function msatBound(v: unknown): bigint | null {
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return BigInt(v);
  if (typeof v === 'string' && /^\d{1,19}$/.test(v)) return BigInt(v);
  return null;
}

function payRequestOf(obj: Record<string, unknown>, amountMsat: bigint): { callback: string; metadata: string } {
  if (obj.tag !== 'payRequest') throw new Stop('lnurl_invalid', `the server's answer is not a payRequest (tag ${JSON.stringify(obj.tag ?? null)})`);
  const min = msatBound(obj.minSendable);
  const max = msatBound(obj.maxSendable);
  if (typeof obj.callback !== 'string' || min === null || max === null || typeof obj.metadata !== 'string') {
    throw new Stop('lnurl_invalid', 'the payRequest lacks a callback, minSendable, maxSendable or metadata');
  }
  if (amountMsat < min || amountMsat > max) {
    throw new Stop('lnurl_invalid', `the server takes ${min} to ${max} msat, not ${amountMsat}`);
  }
  return { callback: obj.callback, metadata: obj.metadata };
}

function callbackUrl(callback: string, amountMsat: bigint): string {
  let url: URL;
  try {
    url = new URL(callback);
  } catch {
    throw new Stop('lnurl_invalid', 'the payRequest callback is not a URL');
  }
  url.searchParams.set('amount', amountMsat.toString());
  return url.toString();
}

function checkInvoice(pr: unknown, amountMsat: bigint, metadata: string, s: ResolverSettings): { decoded: DecodedInvoice; invoice: string; matches: boolean } {
  if (typeof pr !== 'string' || pr.length === 0 || pr.length > 7089) throw new Stop('lnurl_invalid', 'the callback answered no invoice (pr)');
  let decoded: DecodedInvoice;
  try {
    decoded = decodeInvoice(pr);
  } catch (err) {
    if (!(err instanceof InvoiceError)) throw err;
    throw new Stop('lnurl_invalid', `the invoice the server gave is not valid BOLT11: ${err.message}`);
  }
  if (decoded.network !== s.network) throw new Stop('lnurl_invalid', `the invoice the server gave is for ${decoded.network}, this service pays on ${s.network}`);
  if (decoded.amountMsat !== amountMsat) {
    throw new Stop('lnurl_invalid', `the invoice the server gave is for ${decoded.amountMsat ?? 'no amount'} msat, not exactly ${amountMsat}`);
  }
  const nowMs = (s.now ?? Date.now)();
  if (decoded.expiresAt * 1000 - nowMs < s.expiryMarginSeconds * 1000) {
    throw new Stop('lnurl_invalid', `the invoice the server gave expires at ${new Date(decoded.expiresAt * 1000).toISOString()}, within the ${s.expiryMarginSeconds} s margin`);
  }
  const matches = decoded.descriptionHash === createHash('sha256').update(metadata, 'utf8').digest('hex');
  return { decoded, invoice: pr, matches };
}

/** Resolves `lightningAddress` into a checked invoice for exactly `amountMsat`, or the failure that ends the withdrawal. */
export async function resolveLightningAddress(lightningAddress: string, amountMsat: bigint, s: ResolverSettings): Promise<Resolution> {
  const fetcher = createFetcher(s);
  try {
    const destination = parseDestination(lightningAddress, s.allowPrivate);
    if (!destination.ok) throw new Stop(destination.message.includes('non-public') || destination.message.includes('localhost') ? 'lnurl_forbidden' : 'lnurl_invalid', destination.message);
    const payRequest = payRequestOf(await fetcher.getJson(destination.url, 'the payRequest'), amountMsat);
    const answer = await fetcher.getJson(callbackUrl(payRequest.callback, amountMsat), 'the callback');
    const { decoded, invoice, matches } = checkInvoice(answer.pr, amountMsat, payRequest.metadata, s);
    return { ok: true, invoice, paymentHash: decoded.paymentHash, expiresAt: decoded.expiresAt * 1000, descriptionHashMatches: matches, attempts: fetcher.attempts() };
  } catch (err) {
    if (err instanceof Stop) return { ok: false, code: err.code, message: err.message, attempts: fetcher.attempts() };
    if (err instanceof Stopped) return { ok: false, code: null, message: err.message, attempts: fetcher.attempts() };
    throw err;
  }
}
