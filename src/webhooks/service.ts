import type { LookupFunction } from 'node:net';
import { Worker } from 'bullmq';
import type { Caller } from '../callers.ts';
import type { Queues } from '../queues/queues.ts';
import type { Keys } from '../keys.ts';
import type { Logger } from '../logger.ts';
import type { RedisClient } from '../redis.ts';
import { ZERO_EVENT_ID } from '../events/ids.ts';
import type { EventType } from '../events/types.ts';
import { createPoster, createWebhookAgent, type PostEvent } from './deliver.ts';
import { startDispatcher, type DispatcherSettings, type RunningDispatcher } from './dispatcher.ts';
import type { Endpoint } from './endpoint.ts';
import { createLanes, parseLaneId } from './lanes.ts';
import { createUrlCheck } from '../net/private-addresses.ts';
import { createDeliveryProcessor } from './processor.ts';
import { createOwnerSlots } from './owner-slots.ts';
import { createWebhookQueue, WEBHOOK_QUEUE, type WebhookQueue } from './queue.ts';
import { createRegistration, type Registration } from './register.ts';
import { CONFIG_ENDPOINT_ID, createEndpointRegistry, type EndpointRegistry, type NewEndpoint } from './registry.ts';
import { replay, type ReplayAnswer, type ReplayBody } from './replay.ts';
import { createWebhookStats, type WebhookStats } from './stats.ts';

export interface WebhookSettings {
  attempts: number;
  backoffMs: number;
  /** One delivery's time limit (connect, answer and body), ms. */
  timeoutMs: number;
  /** Deliveries in flight per process; also the connection limit per endpoint origin. */
  concurrency: number;
  /** WEBHOOK_URL / WEBHOOK_SECRET / WEBHOOK_EVENTS, when set. */
  configured: { url: string; secret: string; events: EventType[] | null } | null;
  /** Let endpoints reach loopback and private networks (off: refused at registration and at connect). */
  allowPrivate: boolean;
  /** Endpoints one producer (or operator) may register. */
  maxEndpoints: number;
  /** WEBHOOK_REPLAY_MAX: events one replay request redelivers at most. @defaultValue 10000 */
  replayMax?: number;
  /** WEBHOOK_MAX_IN_FLIGHT_PER_OWNER: deliveries in flight to one owner's endpoints, fleet-wide. @defaultValue concurrency */
  maxInFlightPerOwner?: number;
  /** WEBHOOK_MAX_WAITING_PER_ENDPOINT: live deliveries one endpoint may have waiting (absent: no limit). */
  maxWaitingPerEndpoint?: number;
  /** Events read per fan-out step. @defaultValue 200 */
  dispatchBatch?: number;
  dispatcher?: Partial<DispatcherSettings>;
}

const DISPATCHER_DEFAULTS: DispatcherSettings = { blockMs: 1000, leaseMs: 10_000, repairEveryMs: 30_000, laneIdleMs: 60_000 };

/** What the webhook routes need. */
export interface WebhookApi {
  registry: EndpointRegistry;
  /** Registers an endpoint of `caller`, unless its URL or the caller's count is refused. */
  register(caller: Caller, input: NewEndpoint): Promise<Registration>;
  replay(endpoint: Endpoint, body: ReplayBody): Promise<ReplayAnswer | null>;
}

export interface RunningWebhooks {
  worker: Worker;
  dispatcher: RunningDispatcher;
  /** Stops fan-out and deliveries (in-flight ones finish). Idempotent. */
  close(): Promise<void>;
}

export interface Webhooks {
  /** The `webhooks` queue: its failed jobs are the dead letters (show it in the dashboard). */
  queue: WebhookQueue;
  stats: WebhookStats;
  api: WebhookApi;
  /** Starts this process's dispatcher (fan-out, one active fleet-wide) and delivery worker. */
  start(opts?: { post?: PostEvent }): Promise<RunningWebhooks>;
}

export interface WebhookDeps {
  /** The workers' connection (blocking allowed); the queue, fan-out and deliveries use it. */
  connection: RedisClient;
  /** The API's fail-fast connection. */
  requestRedis: RedisClient;
  keys: Keys;
  logger: Logger;
  settings: WebhookSettings;
  /** The resolver of the URL policy, at registration and at connect. @defaultValue node:dns `lookup` */
  lookup?: LookupFunction;
}

export function createWebhooks(deps: WebhookDeps): Webhooks {
  const { keys, logger, settings } = deps;
  const configured: Endpoint[] = settings.configured
    ? [{ id: CONFIG_ENDPOINT_ID, ...settings.configured, since: ZERO_EVENT_ID, createdAt: new Date().toISOString(), owner: null, source: 'config' }]
    : [];
  const queue = createWebhookQueue(deps.connection, keys, settings);
  const stats = createWebhookStats();
  const apiRegistry = createEndpointRegistry({ redis: deps.requestRedis, keys, logger, configured });
  const apiLanes = createLanes(deps.requestRedis, keys);
  const replayMax = settings.replayMax ?? 10_000;

  return {
    queue,
    stats,
    api: {
      registry: apiRegistry,
      register: createRegistration({
        registry: apiRegistry,
        checkUrl: createUrlCheck({ allowPrivate: settings.allowPrivate, lookup: deps.lookup }),
        maxEndpoints: settings.maxEndpoints,
      }),
      replay: (endpoint, body) => replay({ redis: deps.requestRedis, keys, lanes: apiLanes, queue, maxEvents: replayMax }, endpoint, body),
    },
    async start(opts = {}) {
      const redis = deps.connection;
      const registry = createEndpointRegistry({ redis, keys, logger, configured });
      const lanes = createLanes(redis, keys, {
        maxWaitingPerEndpoint: settings.maxWaitingPerEndpoint ?? 0,
        onDropped(pushes) {
          pushes.forEach(() => stats.record('dropped'));
          const endpoints = [...new Set(pushes.map((p) => parseLaneId(p.lane)?.endpointId ?? ''))];
          logger.warn(
            { endpoints, dropped: pushes.length, max: settings.maxWaitingPerEndpoint },
            'webhook endpoint has the most deliveries waiting (WEBHOOK_MAX_WAITING_PER_ENDPOINT): new events not queued for it; a replay sends them once it answers',
          );
        },
      });
      const agent = createWebhookAgent({
        timeoutMs: settings.timeoutMs,
        connections: settings.concurrency,
        allowPrivate: settings.allowPrivate,
        lookup: deps.lookup,
      });
      const post = opts.post ?? createPoster(agent, settings.timeoutMs);
      const slots = createOwnerSlots(redis, keys, { perOwner: settings.maxInFlightPerOwner ?? settings.concurrency, leaseMs: settings.timeoutMs + 5000 });
      const processor = createDeliveryProcessor({ redis, keys, registry, lanes, queue, post, stats, logger, slots });
      const worker = new Worker(WEBHOOK_QUEUE, processor, { connection: redis, prefix: keys.bullPrefix, concurrency: settings.concurrency });
      worker.on('error', (err) => logger.error({ err: err.message, queue: WEBHOOK_QUEUE }, 'webhook worker error'));
      await worker.waitUntilReady();
      const blocking = redis.duplicate();
      blocking.on('error', (err) => logger.debug({ err: err.message }, 'redis connection error (webhook dispatcher)'));
      const dispatcher = startDispatcher({
        redis,
        blocking,
        keys,
        registry,
        lanes,
        queue,
        batchSize: settings.dispatchBatch ?? 200,
        logger,
        settings: { ...DISPATCHER_DEFAULTS, ...settings.dispatcher },
      });
      let closing: Promise<void> | undefined;
      return {
        worker,
        dispatcher,
        close() {
          closing ??= (async () => {
            await dispatcher.close();
            await worker.close();
            await agent.close();
          })();
          return closing;
        },
      };
    },
  };
}

/** The project's queues with the webhooks queue added, so the dashboard, metrics and close() include it. */
export function withWebhookQueue(queues: Queues, queue: WebhookQueue): Queues {
  return {
    ...queues,
    all: () => [...queues.all(), queue],
    async close() {
      await Promise.all([queues.close(), queue.close()]);
    },
  };
}
