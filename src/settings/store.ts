import type { Config } from '../config.ts';
import type { StoreOptions } from '../withdrawals/store.ts';

export type StoreSettings = Pick<StoreOptions, 'eventsMaxLen' | 'historyRetentionMs' | 'replicaAck'>;

/**
 * The withdrawal store's settings: how many events the stream keeps, how long a final history stays,
 * how many replicas a create, a fence and a provider's recorded answer wait for.
 */
export function storeSettings(config: Config): StoreSettings {
  return {
    eventsMaxLen: config.EVENTS_MAX_LEN,
    historyRetentionMs: config.HISTORY_RETENTION_S * 1000,
    replicaAck: { count: config.REDIS_MIN_REPLICAS_ACK, timeoutMs: config.REDIS_ACK_TIMEOUT_MS },
  };
}
