import type { Keys } from '../keys.ts';
import type { RedisClient } from '../redis.ts';

/**
 * Leases on one owner's delivery slots, fleet-wide. KEYS[1] the owner's zset (holder -> lease end);
 * ARGV[1] now ms, ARGV[2] lease ms, ARGV[3] slots per owner, ARGV[4] holder. Expired leases (a
 * process that died mid-delivery) free their slot. Answers 1 when the holder has a slot, else 0.
 */
const ACQUIRE_LUA = `
local now, lease, cap = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if not redis.call('ZSCORE', KEYS[1], ARGV[4]) and redis.call('ZCARD', KEYS[1]) >= cap then return 0 end
redis.call('ZADD', KEYS[1], now + lease, ARGV[4])
redis.call('PEXPIRE', KEYS[1], lease)
return 1
`;

interface SlotCommands {
  whAcquireSlot(key: string, now: number, leaseMs: number, cap: number, holder: string): Promise<number>;
}

function hasCommand(redis: RedisClient): redis is RedisClient & SlotCommands {
  return 'whAcquireSlot' in redis;
}

/** The owner of the endpoints configured by WEBHOOK_URL (the operators'), as a slot key. */
export const OPERATORS_SLOTS = '(operators)';

export interface OwnerSlots {
  /** Takes one of the owner's slots for `holder` (a job): false when all are taken. */
  acquire(owner: string, holder: string): Promise<boolean>;
  release(owner: string, holder: string): Promise<void>;
}

/**
 * Deliveries in flight per endpoint owner across every process (WEBHOOK_MAX_IN_FLIGHT_PER_OWNER):
 * one owner's slow or dead endpoints hold at most this many of the delivery slots, so the other
 * owners' deliveries keep flowing.
 */
export function createOwnerSlots(redis: RedisClient, keys: Keys, opts: { perOwner: number; leaseMs: number }): OwnerSlots {
  if (!hasCommand(redis)) redis.defineCommand('whAcquireSlot', { numberOfKeys: 1, lua: ACQUIRE_LUA });
  if (!hasCommand(redis)) throw new Error('whAcquireSlot could not be registered');
  const r = redis;
  return {
    acquire: async (owner, holder) => (await r.whAcquireSlot(keys.webhookBusy(owner), Date.now(), opts.leaseMs, opts.perOwner, holder)) === 1,
    release: async (owner, holder) => {
      await r.zrem(keys.webhookBusy(owner), holder);
    },
  };
}
