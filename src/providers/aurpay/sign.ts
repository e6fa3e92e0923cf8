import { createHash, createHmac } from 'node:crypto';

/**
 * Aurpay signature authentication (providers.md §1.3; the official string-to-sign
 * was not retrievable, this follows the public third-party implementation):
 *
 *   origin    = "HMAC-SHA256 | <Date> | <METHOD> <path>" [+ " | <Body-MD5>" when there is a body]
 *   Signature = base64(HMAC-SHA256(key = API Secret, origin))
 *
 * Pure: the date is an input, so vectors are reproducible. `path` is signed
 * without its query string (the docs do not say; the reference code signs the
 * bare path). Sign exactly the body text that is sent.
 */

export const AURPAY_ALGORITHM = 'HMAC-SHA256';

export interface AurpaySignInput {
  apiToken: string;
  apiSecret: string;
  /** ISO-8601 UTC, e.g. `2025-01-01T12:00:00.000Z`; sent as the `Date` header. */
  date: string;
  method: string;
  /** Request path; anything from `?` on is dropped before signing. */
  path: string;
  /** The exact body text sent, or null for none. */
  body: string | null;
}

export function md5Hex(body: string): string {
  return createHash('md5').update(body, 'utf8').digest('hex');
}

export function aurpayStringToSign(input: Omit<AurpaySignInput, 'apiToken' | 'apiSecret'>): string {
  const path = input.path.split('?', 1)[0] ?? '';
  const requestInfo = `${input.method.toUpperCase()} ${path}`;
  const parts = [AURPAY_ALGORITHM, input.date, requestInfo];
  if (input.body !== null && input.body !== '') parts.push(md5Hex(input.body));
  return parts.join(' | ');
}

export function aurpaySignedHeaders(input: AurpaySignInput): Record<string, string> {
  const origin = aurpayStringToSign(input);
  const signature = createHmac('sha256', input.apiSecret).update(origin, 'utf8').digest('base64');
  const headers: Record<string, string> = {
    'API-Token': input.apiToken,
    Algorithm: AURPAY_ALGORITHM,
    Date: input.date,
    Signature: signature,
  };
  if (input.body !== null && input.body !== '') headers['Body-MD5'] = md5Hex(input.body);
  return headers;
}
