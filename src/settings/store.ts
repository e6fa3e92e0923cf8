import type { Config } from '../config.ts';
import type { StoreOptions } from '../withdrawals/store.ts';

export type StoreSettings = Pick<StoreOptions, 'eventsMaxLen' | 'eventsMaxBytes' | 'historyRetentionMs' | 'replicaAck'>;

/**
 * The withdrawal store's settings: how many events (and bytes) the streams keep, how long a final
 * history stays, how many replicas a create, a fence and a provider's recorded answer wait for.
 */
export function storeSettings(config: Config): StoreSettings {
  return {
    eventsMaxLen: config.EVENTS_MAX_LEN,
    eventsMaxBytes: config.EVENTS_MAX_BYTES,
    historyRetentionMs: config.HISTORY_RETENTION_S * 1000,
    replicaAck: { count: config.REDIS_MIN_REPLICAS_ACK, timeoutMs: config.REDIS_ACK_TIMEOUT_MS },
  };
}
