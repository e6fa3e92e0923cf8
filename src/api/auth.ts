import { createHash, timingSafeEqual } from 'node:crypto';
import type { ApiToken } from '../config.ts';

const digest = (s: string) => createHash('sha256').update(s).digest();

/** Returns the name of the token in an `Authorization: Bearer` header, or null. Constant-time per token. */
export function authenticate(header: string | undefined, tokens: readonly ApiToken[]): string | null {
  if (!header) return null;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!m?.[1]) return null;
  const given = digest(m[1]);
  let found: string | null = null;
  for (const t of tokens) if (timingSafeEqual(given, digest(t.token))) found = t.name;
  return found;
}
