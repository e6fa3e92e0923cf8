import type { Agent, Dispatcher } from 'undici';
import type { WithdrawalEvent } from '../events/types.ts';
import { createOutboundAgent, outboundRequest, type OutboundAgentOptions } from '../net/outbound.ts';
import type { Endpoint } from './endpoint.ts';
import { signatureHeader } from './secret.ts';

/** Response bytes read (and thrown away) before the connection is dropped: a chatty endpoint costs no memory. */
const MAX_RESPONSE_BYTES = 16 * 1024;

export type DeliveryResult = { ok: true; status: number } | { ok: false; reason: string };

export type PostEvent = (endpoint: Endpoint, event: WithdrawalEvent) => Promise<DeliveryResult>;

export type WebhookAgentOptions = OutboundAgentOptions;

/**
 * Deliveries' own connection pool (the outbound policy's, src/net/outbound.ts): a slow endpoint holds at
 * most `connections` sockets, and nothing here shares the provider clients' pools, so webhooks never
 * slow payouts down.
 */
export function createWebhookAgent(opts: WebhookAgentOptions): Agent {
  return createOutboundAgent(opts);
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
    const res = await outboundRequest(endpoint.url, { dispatcher, timeoutMs, method: 'POST', headers, body, maxBytes: MAX_RESPONSE_BYTES });
    if (res.kind === 'forbidden') return { ok: false, reason: `refused: ${res.message}` };
    if (res.kind === 'unreachable') return { ok: false, reason: res.message };
    if (res.status >= 200 && res.status < 300) return { ok: true, status: res.status };
    return { ok: false, reason: `HTTP ${res.status}` };
  };
}
