import type { Config } from '../config.ts';
import { createKeys } from '../keys.ts';
import type { ProviderDefinition } from '../providers/definition.ts';
import { PRESENCE_FRESH_MS, servedProviders } from '../queues/presence.ts';
import { closeRedis, createRedis, waitUntilReady } from '../redis.ts';
import { resolveRedisTarget } from '../redis-seed.ts';
import { configuredProviders } from '../settings/index.ts';
import type { ProviderName } from '../withdrawals/types.ts';

export interface BatchProviders {
  providers: ProviderName[];
  /** `workers`: named by the running workers in Redis; `environment`: this environment's provider keys. */
  from: 'workers' | 'environment';
}

/**
 * The providers `withdrawals batch` enqueues for: those the running service's workers pay through
 * (they name them in Redis, see src/queues/presence.ts), so the command needs no provider key; when no
 * worker has named any for PRESENCE_FRESH_MS, those this environment holds keys for. Only providers of
 * `known` (the command's provider list) count. Null: neither.
 */
export async function batchProviders(config: Config, known: readonly ProviderDefinition[], connectTimeoutMs = 10_000): Promise<BatchProviders | null> {
  const redis = createRedis(await resolveRedisTarget(config), { role: 'request', connectionName: 'withdrawals-batch' });
  redis.on('error', () => {});
  try {
    await waitUntilReady(redis, connectTimeoutMs).catch((err: unknown) => {
      throw new Error(`Redis did not answer within ${connectTimeoutMs} ms`, { cause: err });
    });
    const served = (await servedProviders(redis, createKeys(config.QUEUE_PREFIX))).filter((p) => known.some((d) => d.name === p));
    if (served.length > 0) return { providers: served, from: 'workers' };
  } finally {
    await closeRedis(redis);
  }
  const configured = configuredProviders(config, known);
  return configured.length > 0 ? { providers: configured, from: 'environment' } : null;
}

/** What the command says when it knows no provider to enqueue for. */
export function noProviderMessage(config: Config): string {
  return (
    `no worker under QUEUE_PREFIX=${config.QUEUE_PREFIX} has named the providers it pays through in the last ${PRESENCE_FRESH_MS / 1000} s, ` +
    'and no provider key is set here: start the service (withdrawals start, or withdrawals worker) with the same REDIS_URL and QUEUE_PREFIX, then run the same file again'
  );
}
