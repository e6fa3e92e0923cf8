import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { Caller } from '../callers.ts';
import type { ApiToken } from '../config.ts';

const digest = (s: string) => createHash('sha256').update(s).digest();

/** The token of an `Authorization: Bearer` header, or null. */
export function bearerToken(header: string | undefined): string | null {
  if (!header) return null;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return m?.[1] ?? null;
}

/** The caller of an `Authorization: Bearer` header, or null. Constant-time per token: every token is compared. */
export function authenticate(header: string | undefined, tokens: readonly ApiToken[]): Caller | null {
  const token = bearerToken(header);
  if (token === null) return null;
  const given = digest(token);
  let found: Caller | null = null;
  for (const t of tokens) if (timingSafeEqual(given, digest(t.token))) found = { name: t.name, role: t.role };
  return found;
}

const callers = new WeakMap<FastifyRequest, Caller>();

/** Set by the `/v1` authentication hook, before any handler runs. */
export function setCaller(req: FastifyRequest, caller: Caller): void {
  callers.set(req, caller);
}

/** Who sent this authenticated request. Only routes behind the `/v1` hook may ask. */
export function callerOf(req: FastifyRequest): Caller {
  const caller = callers.get(req);
  if (!caller) throw new Error('callerOf: the request was not authenticated (a route outside /v1?)');
  return caller;
}
