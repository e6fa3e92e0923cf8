import type { FastifyInstance } from 'fastify';
import { adminRoutes, dashboardCredentials } from './api/dashboard/index.ts';
import { buildApi } from './api/server.ts';
import type { Config } from './config.ts';
import { createKeys } from './keys.ts';
import { createMetrics, type Metrics } from './metrics/metrics.ts';
import { metricsRoute } from './metrics/route.ts';
import type { Logger } from './logger.ts';
import { closeProviderClients, createProviderClients, type ProviderClients } from './providers/registry.ts';
import { createQueues, queueSettings, type Queues } from './queues/queues.ts';
import { startWorkers, type RunningWorkers } from './queues/workers.ts';
import { createValidationPool } from './withdrawals/validation/pool.ts';
import { closeRedis, createRedis, waitUntilReady, type RedisClient } from './redis.ts';
import { checkRedisSafety } from './redis-checks.ts';
import { enqueueDepsFromConfig, type EnqueueDeps } from './withdrawals/enqueue.ts';
import { createStore, type WithdrawalStore } from './withdrawals/store.ts';
import { createWebhooks, webhookSettings, withWebhookQueue, type RunningWebhooks, type Webhooks } from './webhooks/service.ts';
import { PROVIDERS, type ProviderName } from './withdrawals/types.ts';

export interface RuntimeOptions {
  logger: Logger;
  /** Injected provider clients (tests, demo); default: built from the configuration. */
  clients?: ProviderClients;
  eventsMaxLen?: number;
}

export interface Runtime {
  config: Config;
  logger: Logger;
  store: WithdrawalStore;
  queues: Queues;
  clients: ProviderClients;
  enqueueDeps: EnqueueDeps;
  /** Prometheus metrics of this process (served at /metrics by the API; fed by its workers). */
  metrics: Metrics;
  /** Webhook endpoints, the `webhooks` delivery queue and its delivery counters (stats.snapshot()). */
  webhooks: Webhooks;
  startApi(): Promise<FastifyInstance>;
  startWorkers(opts?: { providers?: readonly ProviderName[]; submitConcurrency?: number }): Promise<RunningWorkers>;
  /** Graceful: stops the API, lets in-flight jobs finish, closes Redis. Idempotent. */
  close(): Promise<void>;
}

/** Wires one process: Redis connections, store, queues, provider clients, and on demand the API and workers. */
export async function createRuntime(config: Config, opts: RuntimeOptions): Promise<Runtime> {
  const { logger } = opts;
  const keys = createKeys(config.QUEUE_PREFIX);
  // The commands of concurrent requests (a batch stores up to 1,024 items at once) are pipelined: one
  // write for many. Not on the workers' connection: BullMQ blocks on it.
  const requestRedis: RedisClient = createRedis(config.REDIS_URL, { role: 'request', connectionName: 'withdrawals-api', autoPipelining: true });
  const workerRedis: RedisClient = createRedis(config.REDIS_URL, { role: 'worker', connectionName: 'withdrawals-queues' });
  requestRedis.on('error', (err) => logger.debug({ err: err.message }, 'redis connection error'));
  workerRedis.on('error', (err) => logger.debug({ err: err.message }, 'redis connection error'));
  await checkRedisSafety(workerRedis, logger);
  // The request connection answers 503 while not ready (no offline queue): be ready before serving.
  await waitUntilReady(requestRedis, 10_000);

  const historyRetentionMs = config.HISTORY_RETENTION_S * 1000;
  const store = createStore({ redis: requestRedis, keys, eventsMaxLen: opts.eventsMaxLen ?? config.EVENTS_MAX_LEN, historyRetentionMs });
  const workerStore = createStore({ redis: workerRedis, keys, eventsMaxLen: opts.eventsMaxLen ?? config.EVENTS_MAX_LEN, historyRetentionMs });
  const webhooks = createWebhooks({ connection: workerRedis, requestRedis, keys, logger, settings: webhookSettings(config) });
  const queues = withWebhookQueue(createQueues(workerRedis, keys, queueSettings(config)), webhooks.queue);
  // A Queue without an 'error' listener prints reconnect errors to stderr, bypassing the logger.
  for (const q of queues.all()) q.on('error', (err) => logger.debug({ err: err.message, queue: q.name }, 'queue connection error'));
  const clients = opts.clients ?? createProviderClients(config, logger);
  const enabled = PROVIDERS.filter((p) => clients[p] !== undefined);

  // Threads start on the first batch; a process that never takes one never starts them.
  const validationPool = createValidationPool({ threads: config.VALIDATION_THREADS, logger });
  const enqueueDeps = enqueueDepsFromConfig(config, { store, queues, logger, providers: enabled, validationPool });

  const metrics = createMetrics({ store, queues, logger, webhookDeliveries: () => webhooks.stats.snapshot() });

  let api: FastifyInstance | undefined;
  const running: RunningWorkers[] = [];
  const webhookRuns: RunningWebhooks[] = [];
  let closing: Promise<void> | undefined;

  return {
    config,
    logger,
    store,
    queues,
    clients,
    enqueueDeps,
    metrics,
    webhooks,
    async startApi() {
      if (config.MAX_AMOUNT_MSAT === null) {
        logger.warn(
          'MAX_AMOUNT_MSAT is not set: one withdrawal may carry up to 21 million BTC (the only ceiling). ' +
            'Set MAX_AMOUNT_MSAT to the largest payout this service should ever make.',
        );
      }
      api = await buildApi({
        ...enqueueDeps,
        tokens: [...config.API_TOKENS, ...config.OPERATOR_TOKENS],
        requestTimeoutMs: config.REQUEST_TIMEOUT_MS,
        webhooks: webhooks.api,
        ready: async () => (running.length === 0 || running.every((r) => r.workers.every((w) => w.isRunning())) ? null : 'workers not running'),
        extend: async (app) => {
          await metricsRoute(app, metrics);
          await adminRoutes(app, { credentials: dashboardCredentials(config.DASHBOARD_USER, config.DASHBOARD_PASSWORD), queues, store });
        },
      });
      await api.listen({ host: config.HOST, port: config.PORT });
      return api;
    },
    async startWorkers(o = {}) {
      const w = await startWorkers({
        connection: workerRedis,
        keys,
        store: workerStore,
        queues,
        clients,
        logger,
        observe: metrics.observe,
        providers: o.providers,
        settings: {
          submitConcurrency: o.submitConcurrency ?? config.SUBMIT_CONCURRENCY,
          settleConcurrency: config.SETTLE_CONCURRENCY,
          submitLockMs: config.SUBMIT_LOCK_MS,
          providerTimeoutMs: config.PROVIDER_TIMEOUT_MS,
          pollMs: config.SETTLE_POLL_MS,
          pollMaxMs: config.SETTLE_POLL_MAX_MS,
          sweepEveryMs: config.SWEEP_EVERY_MS,
          breaker: { threshold: config.BREAKER_THRESHOLD, cooldownMs: config.BREAKER_COOLDOWN_MS },
          providerConcurrency: {
            ...(config.AURPAY_CONCURRENCY ? { aurpay: config.AURPAY_CONCURRENCY } : {}),
            ...(config.TURINPAY_CONCURRENCY ? { turinpay: config.TURINPAY_CONCURRENCY } : {}),
          },
          providerRatePerS: { aurpay: config.AURPAY_RATE_LIMIT_PER_S, turinpay: config.TURINPAY_RATE_LIMIT_PER_S },
        },
      });
      running.push(w);
      webhookRuns.push(await webhooks.start());
      return w;
    },
    close() {
      closing ??= (async () => {
        await api?.close();
        await Promise.all(running.map((r) => r.close()));
        await Promise.all(webhookRuns.map((r) => r.close()));
        // With Redis down, closing a queue waits for a reconnect that may never come: bound it.
        await Promise.race([queues.close(), new Promise((r) => setTimeout(r, 5000).unref())]);
        await closeProviderClients(clients);
        await validationPool.close();
        await Promise.all([closeRedis(requestRedis), closeRedis(workerRedis)]);
      })();
      return closing;
    },
  };
}
