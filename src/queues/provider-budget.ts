import { readFileSync } from 'node:fs';
import type { Keys } from '../keys.ts';
import type { RedisClient } from '../redis.ts';
import type { ProviderName } from '../withdrawals/types.ts';

const LUA = readFileSync(new URL('./lua/take-request.lua', import.meta.url), 'utf8');

/** Burst a provider may see after an idle spell: a quarter second's worth of its limit. */
const BURST_MS = 250;

export interface ProviderBudget {
  /** Takes one request from the budget: 0 when it may be sent now, else the ms to wait first. */
  take(): Promise<number>;
}

interface BudgetCommands {
  wdTakeRequest(key: string, intervalMs: string, burstMs: number): Promise<number>;
}

function hasCommand(redis: RedisClient): redis is RedisClient & BudgetCommands {
  return 'wdTakeRequest' in redis;
}

/**
 * A provider's requests per second across the whole fleet, shared by submits and status lookups:
 * a provider's limit counts every call, and a lookup that gets a 429 costs a submit its place.
 * Kept in Redis (GCRA), so every worker process draws from the same budget.
 */
export function createProviderBudget(opts: { redis: RedisClient; keys: Keys; provider: ProviderName; perSecond: number }): ProviderBudget {
  if (!hasCommand(opts.redis)) opts.redis.defineCommand('wdTakeRequest', { numberOfKeys: 1, lua: LUA });
  const redis = opts.redis;
  if (!hasCommand(redis)) throw new Error('wdTakeRequest could not be registered');
  const key = opts.keys.meta(`budget:${opts.provider}`);
  const interval = (1000 / opts.perSecond).toFixed(3);
  return { take: async () => Number(await redis.wdTakeRequest(key, interval, BURST_MS)) };
}
