import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ApiToken } from '../config.ts';
import { apiError } from '../withdrawals/errors.ts';
import { authenticate, bearerToken, setCaller } from './auth.ts';
import { errorBody } from './errors.ts';
import { retryAfterSeconds, type RateLimiter } from './rate-limit.ts';

export interface GuardOptions {
  tokens: readonly ApiToken[];
  /** Fleet-wide windows (API_RATE_LIMIT_PER_S, API_AUTH_FAILURES_PER_MIN); without it, none. */
  limiter?: RateLimiter;
  /** API_MAX_CONCURRENT_PER_TOKEN: requests of one token in flight in this process. @defaultValue unbounded */
  maxConcurrentPerToken?: number;
}

/** 429 `rate_limited` with `Retry-After` in whole seconds. */
export function rateLimited(reply: FastifyReply, waitMs: number, message: string): FastifyReply {
  const seconds = retryAfterSeconds(waitMs);
  return reply
    .code(429)
    .header('retry-after', String(seconds))
    .send(errorBody(apiError('rate_limited', `${message}; retry after ${seconds} s`)));
}

/**
 * The `/v1` hook that runs before any route: the bearer token is checked (a wrong one counts
 * against its source address); a source over its failed authentications is turned away whatever
 * its token (so a guess that happens to be right learns nothing); then the token's requests per
 * second (counted in Redis across API processes) and its requests in flight in this process.
 */
export function v1Guard(opts: GuardOptions): (req: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply | undefined> {
  const inFlight = new Map<string, number>();
  const maxConcurrent = opts.maxConcurrentPerToken ?? Number.POSITIVE_INFINITY;
  const { limiter } = opts;

  function release(token: string): void {
    const n = (inFlight.get(token) ?? 1) - 1;
    if (n <= 0) inFlight.delete(token);
    else inFlight.set(token, n);
  }

  return async (req, reply) => {
    const source = req.ip;
    const caller = authenticate(req.headers.authorization, opts.tokens);
    const token = bearerToken(req.headers.authorization);
    if (!caller || token === null) {
      // Only a token that was sent counts as a guess; a request without one is simply unauthorized.
      const wait = limiter && token !== null ? await limiter.failure(source) : 0;
      if (wait > 0) return rateLimited(reply, wait, 'too many wrong bearer tokens from this address');
      return reply.code(401).send(errorBody(apiError('unauthorized', 'missing or wrong bearer token: send Authorization: Bearer <token>')));
    }
    if (limiter) {
      // One round trip for both (auto-pipelined). A source over its failed authentications is refused
      // even with a right token, so that a guess that happens to be right learns nothing.
      const [blocked, wait] = await Promise.all([limiter.blocked(source), limiter.request(token)]);
      if (blocked > 0) return rateLimited(reply, blocked, 'too many wrong bearer tokens from this address');
      if (wait > 0) return rateLimited(reply, wait, 'this token sent more requests per second than API_RATE_LIMIT_PER_S allows');
    }
    const running = inFlight.get(token) ?? 0;
    if (running >= maxConcurrent) {
      return rateLimited(reply, 1000, `this token already has ${running} requests in flight (API_MAX_CONCURRENT_PER_TOKEN)`);
    }
    inFlight.set(token, running + 1);
    // 'close' comes once the answer is written or the connection dropped, whichever first.
    reply.raw.once('close', () => release(token));
    setCaller(req, caller);
    req.actor = caller.name;
    return undefined;
  };
}
