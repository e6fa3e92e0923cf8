import { createHmac, randomBytes } from 'node:crypto';
import { z } from 'zod';

const PREFIX = 'whsec_';

/** A fresh endpoint secret: `whsec_` + base64 of 32 random bytes (Standard Webhooks: 24 to 64 bytes). */
export function newSecret(): string {
  return `${PREFIX}${randomBytes(32).toString('base64')}`;
}

function keyOf(secret: string): Buffer {
  return Buffer.from(secret.slice(PREFIX.length), 'base64');
}

/** A `whsec_` secret given by the caller: strict base64 of 24 to 64 bytes, so any Standard Webhooks library takes it. */
export const secretSchema = z
  .string()
  .regex(/^whsec_(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/, 'must be whsec_ followed by base64')
  .refine((s) => keyOf(s).length >= 24 && keyOf(s).length <= 64, 'must encode 24 to 64 bytes');

/**
 * The `webhook-signature` header: `v1,` + base64 HMAC-SHA256 of `<id>.<timestamp>.<body>`,
 * keyed with the decoded secret (Standard Webhooks v1).
 */
export function signatureHeader(secret: string, id: string, timestampS: number, body: string): string {
  const mac = createHmac('sha256', keyOf(secret)).update(`${id}.${timestampS}.${body}`).digest('base64');
  return `v1,${mac}`;
}
