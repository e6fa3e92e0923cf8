/**
 * Aurpay authentication as the sandbox reads providers.md §1.1 and §1.3: `API-Key`, or, when a
 * secret is configured, the signature scheme (any request carrying `Signature` must verify).
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { SandboxRequest } from './outcome.ts';

export interface AurpayCredentials {
  apiKey: string;
  apiToken?: string;
  apiSecret?: string;
}

const MAX_SKEW_MS = 5 * 60 * 1000;
const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:?\d{2})$/;

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return typeof value === 'string' ? value : undefined;
}

/** Constant-time comparison of the exact bytes. */
export function sameBytes(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}

/** The string Aurpay signs: `HMAC-SHA256 | <Date> | <METHOD> <path>[ | <bodyMd5>]`. */
export function aurpayOrigin(date: string, method: string, path: string, bodyMd5: string): string {
  const base = `HMAC-SHA256 | ${date} | ${method.toUpperCase()} ${path}`;
  return bodyMd5 ? `${base} | ${bodyMd5}` : base;
}

/** Returns null when the request is authenticated, else the reason it is not. */
export function aurpayAuthFailure(
  request: SandboxRequest,
  credentials: AurpayCredentials,
  now: number = Date.now(),
): string | null {
  const { headers } = request;
  const signature = header(headers, 'signature');
  if (signature === undefined) {
    const key = header(headers, 'api-key');
    return key !== undefined && sameBytes(key, credentials.apiKey) ? null : 'missing or invalid API-Key';
  }
  if (!credentials.apiSecret) return 'signature authentication is not enabled';
  const token = header(headers, 'api-token');
  if (!token) return 'missing API-Token';
  if (credentials.apiToken !== undefined && !sameBytes(token, credentials.apiToken)) return 'invalid API-Token';
  if (header(headers, 'algorithm') !== 'HMAC-SHA256') return 'unsupported Algorithm';
  const date = header(headers, 'date');
  if (date === undefined || !ISO_8601.test(date)) return 'Date must be ISO-8601';
  const at = Date.parse(date);
  if (Number.isNaN(at) || Math.abs(now - at) > MAX_SKEW_MS) return 'Date too far from server time';
  let bodyMd5 = '';
  if (request.rawBody.length > 0) {
    bodyMd5 = createHash('md5').update(request.rawBody).digest('hex');
    const given = header(headers, 'body-md5');
    if (given === undefined || !sameBytes(given, bodyMd5)) return 'Body-MD5 does not match the body';
  }
  const origin = aurpayOrigin(date, request.method, request.path, bodyMd5);
  const expected = createHmac('sha256', credentials.apiSecret).update(origin, 'utf8').digest('base64');
  return sameBytes(signature, expected) ? null : 'invalid Signature';
}
