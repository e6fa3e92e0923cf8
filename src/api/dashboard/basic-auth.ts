import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

export interface BasicCredentials {
  user: string;
  password: string;
}

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/** Compares through fixed-length digests, so neither the content nor the length of a secret leaks through timing. */
function sameSecret(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

/** The user and password of an `Authorization: Basic ...` header, or null. */
export function parseBasic(header: string | undefined): BasicCredentials | null {
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (!m?.[1]) return null;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return null;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

export function checkBasic(header: string | undefined, expected: BasicCredentials): boolean {
  const given = parseBasic(header) ?? { user: '', password: '' };
  // Both compared every time (no short-circuit), so a right user name is not distinguishable by timing.
  const userOk = sameSecret(given.user, expected.user);
  const passwordOk = sameSecret(given.password, expected.password);
  return userOk && passwordOk;
}

/** An `onRequest` hook: 401 with a Basic challenge unless the request carries the credentials. */
export function basicAuthHook(expected: BasicCredentials) {
  return async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (checkBasic(req.headers.authorization, expected)) return;
    await reply
      .code(401)
      .header('www-authenticate', 'Basic realm="withdrawals admin", charset="UTF-8"')
      .header('cache-control', 'no-store')
      .send({ error: { code: 'unauthorized', message: 'the admin pages need HTTP basic auth (DASHBOARD_USER / DASHBOARD_PASSWORD)', issues: [] } });
  };
}
