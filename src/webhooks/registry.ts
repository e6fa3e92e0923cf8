import { randomBytes } from 'node:crypto';
import type { Keys } from '../keys.ts';
import type { Logger } from '../logger.ts';
import type { RedisClient } from '../redis.ts';
import { toEventId } from '../events/ids.ts';
import { lastStreamId } from '../events/reader.ts';
import type { EventType } from '../events/types.ts';
import { storedEndpointSchema, type Endpoint } from './endpoint.ts';
import { newSecret } from './secret.ts';

export interface NewEndpoint {
  url: string;
  events?: EventType[];
  secret?: string;
}

export type RemoveResult = 'removed' | 'missing' | 'configured';

export interface EndpointRegistry {
  create(input: NewEndpoint): Promise<Endpoint>;
  /** Stored endpoints, then the configured ones. */
  list(): Promise<Endpoint[]>;
  get(id: string): Promise<Endpoint | null>;
  remove(id: string): Promise<RemoveResult>;
}

/** Id of the endpoint configured by WEBHOOK_URL. */
export const CONFIG_ENDPOINT_ID = 'wh_config';

/**
 * Endpoints live in one Redis hash (id → JSON, secret included: deliveries from any process need it);
 * endpoints from the configuration are added in memory by every process that has them.
 */
export function createEndpointRegistry(deps: { redis: RedisClient; keys: Keys; logger: Logger; configured?: readonly Endpoint[] }): EndpointRegistry {
  const { redis, keys, logger } = deps;
  const configured = deps.configured ?? [];

  function decode(id: string, raw: string): Endpoint | null {
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      json = null;
    }
    const parsed = storedEndpointSchema.safeParse(json);
    if (!parsed.success) {
      logger.error({ endpointId: id }, 'unreadable webhook endpoint in Redis: ignored');
      return null;
    }
    return { ...parsed.data, source: 'api' };
  }

  return {
    async create(input) {
      const endpoint: Endpoint = {
        id: `wh_${randomBytes(10).toString('hex')}`,
        url: input.url,
        events: input.events ?? null,
        secret: input.secret ?? newSecret(),
        since: toEventId(await lastStreamId(redis, keys)),
        createdAt: new Date().toISOString(),
        source: 'api',
      };
      const { source: _source, ...stored } = endpoint;
      await redis.hset(keys.webhookEndpoints, endpoint.id, JSON.stringify(stored));
      return endpoint;
    },
    async list() {
      const all = await redis.hgetall(keys.webhookEndpoints);
      const stored = Object.entries(all)
        .map(([id, raw]) => decode(id, raw))
        .filter((e): e is Endpoint => e !== null)
        .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
      return [...stored, ...configured];
    },
    async get(id) {
      const fromConfig = configured.find((e) => e.id === id);
      if (fromConfig) return fromConfig;
      const raw = await redis.hget(keys.webhookEndpoints, id);
      return raw === null ? null : decode(id, raw);
    },
    async remove(id) {
      if (configured.some((e) => e.id === id)) return 'configured';
      return (await redis.hdel(keys.webhookEndpoints, id)) === 1 ? 'removed' : 'missing';
    },
  };
}
