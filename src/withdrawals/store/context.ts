import type { Keys } from '../../keys.ts';
import type { RedisClient } from '../../redis.ts';
import type { ScriptCommands } from '../scripts.ts';
import type { ReplicaAck, ShortfallKind } from './replication.ts';

/** What every part of the store shares: one connection with the scripts defined, the key names, the clock. */
export interface StoreContext {
  redis: RedisClient & ScriptCommands;
  keys: Keys;
  now: () => Date;
  /** Approximate number of events kept in the stream (0 keeps all). */
  eventsMaxLen: number;
  /** Approximate bytes each event stream keeps at most (0: no byte budget). */
  eventsMaxBytes: number;
  /** How long a history outlives a final status, in ms; 0 keeps it. */
  historyRetentionMs: number;
  /** The providers' names (the runtime's definitions): a stored record naming another is an error. */
  providers: readonly string[];
  /** Replicas a create, a fence and a provider's recorded answer wait for (Redis WAIT). */
  replicaAck: ReplicaAck;
  /** The replicas did not confirm a write in time (metrics, logs). */
  onShortfall(kind: ShortfallKind): void;
}
