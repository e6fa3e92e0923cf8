import { Cluster } from 'ioredis';
import type { RedisClient } from '../../redis.ts';
import { slotMaster } from '../../redis-slot.ts';

/**
 * REDIS_MIN_REPLICAS_ACK and REDIS_ACK_TIMEOUT_MS: how many replicas must hold a write before it
 * counts as stored (Redis `WAIT`), and how long to wait for them. `count` 0 waits for none.
 */
export interface ReplicaAck {
  count: number;
  timeoutMs: number;
}

/** The replicas did not confirm a write in time: it is on the primary, but a failover may lose it. */
export class ReplicationShortfallError extends Error {
  override name = 'ReplicationShortfallError';
}

/**
 * What was written when the replicas fell short (the shortfall metric's label): a withdrawal
 * created, a submit's fence (`queued -> submitting`), any other transition (a provider's answer).
 */
export type ShortfallKind = 'create' | 'fence' | 'transition';

/**
 * Waits (Redis `WAIT`) until `ack.count` replicas hold every write this connection has made, for at
 * most `ack.timeoutMs`: true when they do. Always true when none is asked for. On Redis Cluster the
 * WAIT goes to the master of `slotKey`'s slot (one deployment's keys share one slot), on the
 * cluster client's own connection to it, so it covers the writes just made there.
 */
export async function replicated(redis: RedisClient, ack: ReplicaAck, slotKey: string, since: number): Promise<boolean> {
  if (ack.count <= 0) return true;
  const node = redis instanceof Cluster ? await slotMasterOrFail(redis, slotKey) : redis;
  const acked = await node.wait(ack.count, ack.timeoutMs);
  // A connection lost in between: the WAIT (resent by ioredis) may have asked a new primary about a
  // connection that wrote nothing there, and its answer says nothing of the write.
  return acked >= ack.count && connectionEpoch(redis) === since;
}

const epochs = new WeakMap<RedisClient, { losses: number }>();

/**
 * How many times this connection (on Cluster: any of its node connections) was lost so far. Taken
 * before a write and compared after its WAIT: a different number means the WAIT confirms nothing.
 * Counting starts at the first call: call it once when the connection is handed to the store.
 */
export function connectionEpoch(redis: RedisClient): number {
  let epoch = epochs.get(redis);
  if (!epoch) {
    const counter = { losses: 0 };
    const lost = () => {
      counter.losses++;
    };
    if (redis instanceof Cluster) {
      redis.on('-node', lost);
      redis.on('node error', lost);
    } else {
      redis.on('close', lost);
    }
    epochs.set(redis, counter);
    epoch = counter;
  }
  return epoch.losses;
}

async function slotMasterOrFail(cluster: Cluster, key: string) {
  const node = await slotMaster(cluster, key);
  if (!node) throw new ReplicationShortfallError(`no known master holds the slot of ${key}; cannot confirm replication`);
  return node;
}
