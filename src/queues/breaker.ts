import { readFileSync } from 'node:fs';
import type { Queue } from 'bullmq';
import type { Keys } from '../keys.ts';
import type { Logger } from '../logger.ts';
import type { SubmitOutcome } from '../providers/types.ts';
import type { RedisClient } from '../redis.ts';
import type { ProviderName } from '../withdrawals/types.ts';

export interface BreakerSettings {
  /** Consecutive `unknown` outcomes (timeouts, 5xx, broken answers) that open the breaker. */
  threshold: number;
  /** How long the breaker stays open before one probe submission is let through. */
  cooldownMs: number;
}

export type BreakerState = 'closed' | 'open' | 'half_open';

const MOVE_LUA = readFileSync(new URL('./lua/breaker-move.lua', import.meta.url), 'utf8');

interface BreakerCommands {
  wdBreakerMove(key: string, from: BreakerState, ...fields: string[]): Promise<number>;
}

function hasMove(redis: RedisClient): redis is RedisClient & BreakerCommands {
  return 'wdBreakerMove' in redis;
}

/**
 * A circuit breaker per provider, shared by every process through Redis. Open = the provider's
 * submit queue is paused (settlement keeps polling). After the cool-down it half-opens: the queue
 * resumes with a global concurrency of 1, so exactly one probe runs; its outcome closes or re-opens it.
 */
export function createBreaker(opts: {
  redis: RedisClient;
  keys: Keys;
  provider: ProviderName;
  queue: Queue;
  settings: BreakerSettings;
  logger: Logger;
  now?: () => number;
}) {
  if (!hasMove(opts.redis)) opts.redis.defineCommand('wdBreakerMove', { numberOfKeys: 1, lua: MOVE_LUA });
  const redis = opts.redis;
  if (!hasMove(redis)) throw new Error('wdBreakerMove could not be registered');
  const key = opts.keys.meta(`breaker:${opts.provider}`);
  /** Writes `fields` only if the breaker is still `from`: true when it was. */
  const move = async (from: BreakerState, ...fields: string[]) => (await redis.wdBreakerMove(key, from, ...fields)) === 1;
  const now = opts.now ?? Date.now;
  const log = opts.logger.child({ provider: opts.provider });
  // What this process last read: while it is fresh (1 s) and says "closed, no failures", a good
  // outcome needs no round trip. A failure counted by another process is then reset up to a second
  // late, so the breaker can open sooner than the exact count, never later.
  let seen: { at: number } | null = null;
  const FRESH_MS = 1000;

  async function state(): Promise<BreakerState> {
    const s = await redis.hget(key, 'state');
    return s === 'open' || s === 'half_open' ? s : 'closed';
  }

  async function paused(reason: string): Promise<void> {
    await opts.queue.pause();
    log.error({ reason, cooldownMs: opts.settings.cooldownMs }, 'circuit breaker open: submissions to this provider are paused');
  }

  /** Opens the breaker whatever its state (credentials refused). */
  async function open(reason: string): Promise<void> {
    seen = null;
    await redis.hset(key, 'state', 'open', 'openedAt', String(now()), 'reason', reason);
    await paused(reason);
  }

  /** Opens it if it is still `from`; a process that lost the race leaves the winner's state (and queue) alone. */
  async function openFrom(from: BreakerState, reason: string): Promise<void> {
    seen = null;
    if (await move(from, 'state', 'open', 'openedAt', String(now()), 'reason', reason)) await paused(reason);
  }

  /** Closes a half-open breaker; one re-opened meanwhile stays open (its queue paused). */
  async function close(): Promise<void> {
    seen = null;
    if (!(await move('half_open', 'state', 'closed', 'failures', '0'))) return;
    await opts.queue.removeGlobalConcurrency();
    log.info('circuit breaker closed: the probe went through');
  }

  /** Feeds one submit outcome into the breaker. */
  async function record(outcome: SubmitOutcome): Promise<void> {
    // Not sent: nothing learned about the provider's health (auth errors open it from the worker).
    if (outcome.kind === 'not_sent') return;
    const good = outcome.kind !== 'unknown';
    if (good && seen && now() - seen.at < FRESH_MS) return;
    // State and failure count in one read.
    const [s, failures] = await redis.hmget(key, 'state', 'failures');
    const current: BreakerState = s === 'open' || s === 'half_open' ? s : 'closed';
    if (!good) {
      seen = null;
      const failures = await redis.hincrby(key, 'failures', 1);
      if (current === 'half_open') await openFrom('half_open', `probe failed: ${outcome.reason}`);
      else if (current === 'closed' && failures >= opts.settings.threshold) await openFrom('closed', `${failures} unknown outcomes in a row; last: ${outcome.reason}`);
      return;
    }
    if (failures !== null && failures !== '0') await redis.hset(key, 'failures', '0');
    if (current === 'half_open') await close();
    else if (current === 'closed') seen = { at: now() };
  }

  /**
   * Called periodically (by the sweep): half-opens an open breaker whose cool-down is over, and
   * resumes the queue of a half-open breaker that finds it paused. The breaker's state and the
   * queue's pause are separate writes: a Redis failover can keep the first and lose the second
   * (state `half_open`, queue still paused), and then no probe would ever run. A closed breaker's
   * paused queue is left alone: an operator may have paused it (the dashboard can); so is an open one's
   * running queue: an operator may have resumed it (credentials fixed), and the cool-down's
   * half-open ends in a probe either way.
   */
  async function tick(): Promise<BreakerState> {
    const [s, openedAt] = await redis.hmget(key, 'state', 'openedAt');
    if (s === 'half_open' && (await opts.queue.isPaused())) {
      await opts.queue.resume();
      log.warn('circuit breaker half-open but its submit queue was paused: resumed, so that its probe can run');
    }
    if (s !== 'open' || now() - Number(openedAt ?? 0) < opts.settings.cooldownMs) return (s as BreakerState | null) ?? 'closed';
    seen = null;
    // Another process's tick may have half-opened it (and its probe settled it) already.
    if (!(await move('open', 'state', 'half_open'))) return state();
    await opts.queue.setGlobalConcurrency(1);
    await opts.queue.resume();
    log.warn('circuit breaker half-open: letting one probe submission through');
    return 'half_open';
  }

  return { state, record, tick, open };
}

export type Breaker = ReturnType<typeof createBreaker>;
