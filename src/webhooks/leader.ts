import type { RedisClient } from '../redis.ts';

interface LeaderCommands {
  whRenew(key: string, token: string, ttlMs: number): Promise<number>;
  whRelease(key: string, token: string): Promise<number>;
}

/** A lease in Redis: one process at a time holds `key` until it stops renewing it for `ttlMs`. */
export function createLease(conn: RedisClient, key: string, token: string, ttlMs: number) {
  conn.defineCommand('whRenew', {
    numberOfKeys: 1,
    lua: "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0",
  });
  conn.defineCommand('whRelease', {
    numberOfKeys: 1,
    lua: "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0",
  });
  const redis = conn as RedisClient & LeaderCommands;
  return {
    token,
    /** Takes the lease when free, or extends it when already ours; false when another process holds it. */
    async hold(): Promise<boolean> {
      if ((await redis.set(key, token, 'PX', ttlMs, 'NX')) === 'OK') return true;
      return (await redis.whRenew(key, token, ttlMs)) === 1;
    },
    async release(): Promise<void> {
      await redis.whRelease(key, token);
    },
  };
}
