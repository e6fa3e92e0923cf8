import type { LookupFunction } from 'node:net';
import { Agent, request, type Dispatcher } from 'undici';
import { describeTransportError } from '../providers/http/errors.ts';
import { guardedConnector } from './connect-guard.ts';
import { bareHost, hostProblem, PrivateAddressError } from './private-addresses.ts';

/**
 * The one policy for every URL the service fetches on someone else's word (webhook endpoints, Lightning
 * Address / LNURL-pay servers): no non-public address is ever connected to (the host literal is checked
 * before, every address a name resolves to at connect, and the socket uses a checked one), redirects are
 * answers and never followed, at most `maxBytes` of a body is read, and each request has a time limit.
 * `allowPrivate` (WEBHOOK_ALLOW_PRIVATE, LNURL_ALLOW_PRIVATE) lifts the address checks.
 */

/** The most of a response body any outbound request reads. */
export const MAX_OUTBOUND_BYTES = 64 * 1024;

export interface OutboundAgentOptions {
  /** Connect, headers and body time limit (ms). */
  timeoutMs: number;
  /** Sockets per origin. */
  connections: number;
  /** Off: every connection's address is checked (connect-guard.ts). */
  allowPrivate: boolean;
  /** The resolver of every connection (checked unless `allowPrivate`). @defaultValue node:dns `lookup` */
  lookup?: LookupFunction;
}

/** A connection pool of its own whose every connection goes through the address check (unless `allowPrivate`). */
export function createOutboundAgent(opts: OutboundAgentOptions): Agent {
  const { timeoutMs, connections, lookup } = opts;
  const connect = opts.allowPrivate ? { timeout: timeoutMs, ...(lookup ? { lookup } : {}) } : guardedConnector({ timeout: timeoutMs, lookup });
  // undici follows no redirect unless a redirect interceptor is composed in: none is.
  return new Agent({ connect, headersTimeout: timeoutMs, bodyTimeout: timeoutMs, connections });
}

/** The refusal of the connect-time check, wherever undici or Node put it (itself, its cause, one of an AggregateError's). */
export function privateAddressIn(err: unknown, depth = 0): PrivateAddressError | null {
  if (err instanceof PrivateAddressError) return err;
  if (!(err instanceof Error) || depth > 3) return null;
  const nested = [err.cause, ...(err instanceof AggregateError ? err.errors : [])];
  for (const e of nested) {
    const found = privateAddressIn(e, depth + 1);
    if (found) return found;
  }
  return null;
}

export interface UrlRules {
  /** Private and loopback hosts and plain `http` allowed (the `*_ALLOW_PRIVATE` switches). */
  allowPrivate: boolean;
  /** Plain `http` allowed even to public hosts (webhook URLs). @defaultValue false */
  allowHttp?: boolean;
}

/** Why `url` may not be fetched before any connection: `forbidden` (a non-public host) or `invalid` (its form); null when it may. */
export function urlRefusal(raw: string, rules: UrlRules): { kind: 'forbidden' | 'invalid'; message: string } | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { kind: 'invalid', message: 'not an absolute URL' };
  }
  const httpOk = rules.allowPrivate || rules.allowHttp === true;
  if (url.protocol !== 'https:' && !(httpOk && url.protocol === 'http:')) return { kind: 'invalid', message: `${url.protocol} URLs are not fetched (${httpOk ? 'http or https' : 'https only'})` };
  if (url.username || url.password) return { kind: 'invalid', message: 'URLs carrying credentials are not fetched' };
  if (!bareHost(url.hostname)) return { kind: 'invalid', message: 'the URL names no host' };
  if (rules.allowPrivate) return null;
  const problem = hostProblem(url.hostname);
  return problem ? { kind: 'forbidden', message: `the host ${problem}` } : null;
}

export interface OutboundRequest {
  dispatcher: Dispatcher;
  timeoutMs: number;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  /** @defaultValue MAX_OUTBOUND_BYTES (never more) */
  maxBytes?: number;
}

/**
 * What one outbound request came to. `answer`: a status (a redirect is one, never followed) and the body
 * as text, or `body: null` when it was longer than the limit (the rest is not read). `forbidden`: a
 * non-public address refused at connect. `unreachable`: no answer (transport error or time limit).
 */
export type OutboundResult =
  | { kind: 'answer'; status: number; contentType: string | null; body: string | null }
  | { kind: 'forbidden'; message: string }
  | { kind: 'unreachable'; message: string; timedOut: boolean };

/** Makes one request under the policy's limits; never throws. The URL must have passed `urlRefusal`. */
export async function outboundRequest(url: string, req: OutboundRequest): Promise<OutboundResult> {
  const maxBytes = Math.min(req.maxBytes ?? MAX_OUTBOUND_BYTES, MAX_OUTBOUND_BYTES);
  const signal = AbortSignal.timeout(req.timeoutMs);
  try {
    const res = await request(url, {
      dispatcher: req.dispatcher,
      method: req.method ?? 'GET',
      headers: req.headers,
      body: req.body,
      headersTimeout: req.timeoutMs,
      bodyTimeout: req.timeoutMs,
      signal,
    });
    const contentType = typeof res.headers['content-type'] === 'string' ? res.headers['content-type'] : null;
    const declared = Number(res.headers['content-length'] ?? NaN);
    if (Number.isFinite(declared) && declared > maxBytes) {
      res.body.destroy();
      return { kind: 'answer', status: res.statusCode, contentType, body: null };
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of res.body) {
      const buf = chunk as Buffer;
      size += buf.length;
      if (size > maxBytes) {
        res.body.destroy();
        return { kind: 'answer', status: res.statusCode, contentType, body: null };
      }
      chunks.push(buf);
    }
    return { kind: 'answer', status: res.statusCode, contentType, body: Buffer.concat(chunks).toString('utf8') };
  } catch (err) {
    const refused = privateAddressIn(err);
    if (refused) return { kind: 'forbidden', message: refused.message };
    const timedOut = signal.aborted || (err instanceof Error && /timeout/i.test(err.name + String((err as { code?: unknown }).code ?? '')));
    return { kind: 'unreachable', message: timedOut ? 'timeout' : describeTransportError(err), timedOut };
  }
}
