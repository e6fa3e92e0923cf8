import { createHash } from 'node:crypto';
import type { Keys } from '../keys.ts';
import type { RedisClient } from '../redis.ts';

/**
 * One fixed window per key: counts a hit, starts the window's expiry with the first one, and
 * answers 0 while the count is within the limit, else the milliseconds left in the window.
 * KEYS[1] the window; ARGV[1] the limit, ARGV[2] the window in ms, ARGV[3] 1 to count the hit
 * (0 only reads: a source already over its failed authentications).
 */
const WINDOW_LUA = `
local n
if ARGV[3] == '1' then
  n = redis.call('INCR', KEYS[1])
  if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
else
  n = tonumber(redis.call('GET', KEYS[1]) or '0')
end
if n <= tonumber(ARGV[1]) then return 0 end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  ttl = tonumber(ARGV[2])
end
return ttl
`;

interface WindowCommands {
  wdWindow(key: string, limit: number, windowMs: number, count: 0 | 1): Promise<number>;
}

function hasCommand(redis: RedisClient): redis is RedisClient & WindowCommands {
  return 'wdWindow' in redis;
}

export interface RateLimitSettings {
  /** API_RATE_LIMIT_PER_S: requests per second one token may make to /v1/*; null: no limit. */
  perTokenPerSecond: number | null;
  /** API_AUTH_FAILURES_PER_MIN: wrong bearer tokens one source address may send per minute. */
  authFailuresPerMinute: number;
  /** WEBHOOK_REPLAYS_PER_MIN: webhook replay requests one caller may make per minute. @defaultValue 10 */
  replaysPerMinute?: number;
}

export interface RateLimiter {
  /** Counts one request of a valid token: 0 when it may go on, else the ms until its window ends. */
  request(token: string): Promise<number>;
  /** Counts a wrong token from this source: 0 when it may still be told 401, else the ms it waits. */
  failure(source: string): Promise<number>;
  /** Whether this source is over its failed authentications (without counting): 0, else the ms it waits. */
  blocked(source: string): Promise<number>;
  /** Counts one webhook replay request of this caller: 0 when it may go on, else the ms it waits. */
  replay(caller: string): Promise<number>;
}

/** Neither the token nor the address goes into Redis as is. */
const tag = (s: string) => createHash('sha256').update(s).digest('base64url').slice(0, 22);

/** The Redis key of one token's current window of requests. */
export const tokenWindowKey = (keys: Keys, token: string) => keys.meta(`rl:token:${tag(token)}`);
/** The Redis key of one source address's current minute of wrong tokens. */
export const authWindowKey = (keys: Keys, source: string) => keys.meta(`rl:auth:${tag(source)}`);

/** Windows kept in Redis under the deployment's prefix, so that every API process counts the same requests. */
export function createRateLimiter(redis: RedisClient, keys: Keys, settings: RateLimitSettings): RateLimiter {
  if (!hasCommand(redis)) redis.defineCommand('wdWindow', { numberOfKeys: 1, lua: WINDOW_LUA });
  if (!hasCommand(redis)) throw new Error('wdWindow could not be registered');
  const r = redis;
  const perToken = settings.perTokenPerSecond;
  const failures = settings.authFailuresPerMinute;
  return {
    request: async (token) => (perToken === null ? 0 : Number(await r.wdWindow(tokenWindowKey(keys, token), perToken, 1000, 1))),
    failure: async (source) => Number(await r.wdWindow(authWindowKey(keys, source), failures, 60_000, 1)),
    blocked: async (source) => Number(await r.wdWindow(authWindowKey(keys, source), failures, 60_000, 0)),
    replay: async (caller) => Number(await r.wdWindow(keys.meta(`rl:replay:${tag(caller)}`), settings.replaysPerMinute ?? 10, 60_000, 1)),
  };
}

/** `Retry-After` in whole seconds, at least 1. */
export function retryAfterSeconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}
