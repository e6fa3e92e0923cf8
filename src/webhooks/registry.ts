import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Caller } from '../callers.ts';
import type { Keys } from '../keys.ts';
import type { Logger } from '../logger.ts';
import type { RedisClient } from '../redis.ts';
import { toEventId } from '../events/ids.ts';
import { lastStreamId } from '../events/reader.ts';
import type { EventType } from '../events/types.ts';
import { storedEndpointSchema, type Endpoint, type StoredEndpoint } from './endpoint.ts';
import { newSecret } from './secret.ts';

export interface NewEndpoint {
  url: string;
  events?: EventType[];
  secret?: string;
}

export type RemoveResult = 'removed' | 'missing' | 'configured';

export interface EndpointRegistry {
  /** Stores an endpoint of `owner`, unless it already has `maxPerOwner` of them ('limit'). */
  create(input: NewEndpoint, owner: Caller, maxPerOwner: number): Promise<Endpoint | 'limit'>;
  /** Stored endpoints, then the configured ones. */
  list(): Promise<Endpoint[]>;
  get(id: string): Promise<Endpoint | null>;
  remove(id: string): Promise<RemoveResult>;
}

/** Id of the endpoint configured by WEBHOOK_URL. */
export const CONFIG_ENDPOINT_ID = 'wh_config';

interface RegistryCommands {
  whRegister(key: string, id: string, json: string, owner: string, role: string, max: number): Promise<number>;
}

/**
 * Endpoints live in one Redis hash (id → JSON, secret included: deliveries from any process need it);
 * endpoints from the configuration are added in memory by every process that has them.
 */
export function createEndpointRegistry(deps: { redis: RedisClient; keys: Keys; logger: Logger; configured?: readonly Endpoint[] }): EndpointRegistry {
  const { keys, logger } = deps;
  const configured = deps.configured ?? [];
  deps.redis.defineCommand('whRegister', { numberOfKeys: 1, lua: readFileSync(new URL('./lua/register.lua', import.meta.url), 'utf8') });
  const redis = deps.redis as RedisClient & RegistryCommands;

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
    const { owner, ownerRole, ...rest } = parsed.data;
    return { ...rest, owner: { name: owner, role: ownerRole }, source: 'api' };
  }

  return {
    async create(input, owner, maxPerOwner) {
      const stored: StoredEndpoint = {
        id: `wh_${randomBytes(10).toString('hex')}`,
        url: input.url,
        events: input.events ?? null,
        secret: input.secret ?? newSecret(),
        since: toEventId(await lastStreamId(redis, keys)),
        createdAt: new Date().toISOString(),
        owner: owner.name,
        ownerRole: owner.role,
      };
      const added = await redis.whRegister(keys.webhookEndpoints, stored.id, JSON.stringify(stored), owner.name, owner.role, maxPerOwner);
      if (added !== 1) return 'limit';
      const { ownerRole: _role, ...rest } = stored;
      return { ...rest, owner: { ...owner }, source: 'api' };
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
