import type { LookupFunction } from 'node:net';
import { Agent, request, type Dispatcher } from 'undici';
import type { WithdrawalEvent } from '../events/types.ts';
import { describeTransportError } from '../providers/http/errors.ts';
import { guardedConnector } from './connect-guard.ts';
import type { Endpoint } from './endpoint.ts';
import { PrivateAddressError } from './private-addresses.ts';
import { signatureHeader } from './secret.ts';

/** Response bytes read (and thrown away) before the connection is dropped: a chatty endpoint costs no memory. */
const MAX_RESPONSE_BYTES = 16 * 1024;

export type DeliveryResult = { ok: true; status: number } | { ok: false; reason: string };

export type PostEvent = (endpoint: Endpoint, event: WithdrawalEvent) => Promise<DeliveryResult>;

export interface WebhookAgentOptions {
  /** Connect, headers and body time limit (ms). */
  timeoutMs: number;
  /** Sockets per endpoint origin. */
  connections: number;
  /** Off: every connection's address is checked (connect-guard.ts). */
  allowPrivate: boolean;
  /** The resolver of every connection (checked unless `allowPrivate`). @defaultValue node:dns `lookup` */
  lookup?: LookupFunction;
}

/**
 * Deliveries' own connection pool: a slow endpoint holds at most `connections` sockets, and nothing
 * here shares the provider clients' pools, so webhooks never slow payouts down.
 */
export function createWebhookAgent(opts: WebhookAgentOptions): Agent {
  const { timeoutMs, connections } = opts;
  const lookup = opts.lookup;
  const connect = opts.allowPrivate ? { timeout: timeoutMs, ...(lookup ? { lookup } : {}) } : guardedConnector({ timeout: timeoutMs, lookup });
  return new Agent({ connect, headersTimeout: timeoutMs, bodyTimeout: timeoutMs, connections });
}

/** The refusal of the connect-time check, wherever undici or Node put it (itself, its cause, one of an AggregateError's). */
function privateAddressIn(err: unknown, depth = 0): PrivateAddressError | null {
  if (err instanceof PrivateAddressError) return err;
  if (!(err instanceof Error) || depth > 3) return null;
  const nested = [err.cause, ...(err instanceof AggregateError ? err.errors : [])];
  for (const e of nested) {
    const found = privateAddressIn(e, depth + 1);
    if (found) return found;
  }
  return null;
}

/** The Standard Webhooks request for one event: the same `webhook-id` on every attempt, a fresh timestamp and signature. */
export function webhookRequest(endpoint: Endpoint, event: WithdrawalEvent, nowMs: number): { body: string; headers: Record<string, string> } {
  const body = JSON.stringify(event);
  const timestamp = Math.floor(nowMs / 1000);
  return {
    body,
    headers: {
      'content-type': 'application/json',
      'user-agent': 'withdrawals-webhooks/1',
      'webhook-id': event.id,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': signatureHeader(endpoint.secret, event.id, timestamp, body),
    },
  };
}

/**
 * One POST; 2xx acknowledges, anything else (redirects too: they are not followed) or no answer within
 * `timeoutMs` is a failure whose reason names no URL (its query may carry a token).
 */
export function createPoster(dispatcher: Dispatcher, timeoutMs: number, now: () => number = Date.now): PostEvent {
  return async (endpoint, event) => {
    const { body, headers } = webhookRequest(endpoint, event, now());
    const signal = AbortSignal.timeout(timeoutMs);
    try {
      const res = await request(endpoint.url, { dispatcher, method: 'POST', headers, body, headersTimeout: timeoutMs, bodyTimeout: timeoutMs, signal });
      await res.body.dump({ limit: MAX_RESPONSE_BYTES, signal }).catch(() => undefined);
      if (res.statusCode >= 200 && res.statusCode < 300) return { ok: true, status: res.statusCode };
      return { ok: false, reason: `HTTP ${res.statusCode}` };
    } catch (err) {
      const refused = privateAddressIn(err);
      if (refused) return { ok: false, reason: `refused: ${refused.message}` };
      return { ok: false, reason: signal.aborted ? 'timeout' : describeTransportError(err) };
    }
  };
}
