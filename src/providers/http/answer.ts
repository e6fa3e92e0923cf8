import { parseRetryAfter } from './retry-after.ts';
import type { HttpResponse } from './transport.ts';

/**
 * HTTP answers whose meaning is the same for every provider and every call:
 * 401/403 (our credentials or permissions are wrong: the provider refused to
 * look at the request) and 429 (throttled before any work was done).
 */
export type GatewayAnswer =
  | { kind: 'auth'; reason: string }
  | { kind: 'rate_limited'; reason: string; retryAfterMs?: number };

export function gatewayAnswer(response: HttpResponse, now: Date): GatewayAnswer | null {
  if (response.status === 401 || response.status === 403) {
    return { kind: 'auth', reason: `HTTP ${response.status}: credentials refused` };
  }
  if (response.status === 429) {
    const retryAfterMs = parseRetryAfter(response.headers['retry-after'], now);
    return retryAfterMs === undefined
      ? { kind: 'rate_limited', reason: 'HTTP 429: rate limited' }
      : { kind: 'rate_limited', reason: 'HTTP 429: rate limited', retryAfterMs };
  }
  return null;
}

/** JSON.parse without throwing; a truncated (over the cap) body never parses. */
export function parseJsonBody(response: HttpResponse): { ok: true; value: unknown } | { ok: false } {
  if (response.truncated) return { ok: false };
  try {
    const value: unknown = JSON.parse(response.text);
    return { ok: true, value };
  } catch {
    return { ok: false };
  }
}

export function isSuccess(status: number): boolean {
  return status >= 200 && status < 300;
}

/**
 * 4xx answers on which a provider's own error envelope counts as an explicit
 * refusal of the request. Not 401/403/429 (handled as "not sent"), not 404
 * (a missing route or object says nothing definite) and not 408 (a timeout).
 */
export function isRefusalStatus(status: number): boolean {
  return status >= 400 && status < 500 && ![401, 403, 404, 408, 429].includes(status);
}
