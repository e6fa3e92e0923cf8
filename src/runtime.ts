import type { TracerProvider } from '@opentelemetry/api';
import type { FastifyInstance } from 'fastify';
import { DEFAULT_PRODUCER } from './callers.ts';
import { adminRoutes, dashboardCredentials } from './api/dashboard/index.ts';
import { buildApi } from './api/server.ts';
import type { Config } from './config.ts';
import { createKeys } from './keys.ts';
import { createRateLimiter } from './api/rate-limit.ts';
import { createMetrics, type Metrics } from './metrics/metrics.ts';
import { metricsRoute } from './metrics/route.ts';
import { buildMetricsServer } from './metrics/server.ts';
import type { Logger } from './logger.ts';
import type { ProviderDefinition } from './providers/definition.ts';
import { closeProviderClients, createProviderClients, type ProviderClients } from './providers/registry.ts';
import { createQueues, type Queues } from './queues/queues.ts';
import { startWorkers, type RunningWorkers } from './queues/workers.ts';
import { createValidationPool } from './withdrawals/validation/pool.ts';
import { closeRedis, createRedis, waitUntilReady, type RedisClient } from './redis.ts';
import { resolveRedisTarget } from './redis-seed.ts';
import { checkRedisSafety } from './redis-checks.ts';
import { primaryAddress, watchPrimary } from './redis-primary.ts';
import { serviceSettings } from './settings/index.ts';
import { createEnqueueDeps, type EnqueueDeps } from './withdrawals/enqueue.ts';
import { createStore, type ShortfallKind, type WithdrawalStore } from './withdrawals/store.ts';
import { createWebhooks, withWebhookQueue, type RunningWebhooks, type Webhooks } from './webhooks/service.ts';
import type { ProviderName } from './withdrawals/types.ts';
import { createInFlight, delay, settleBy, trackCalls } from './shutdown.ts';
import { createTracing } from './telemetry/tracing.ts';
import { traceProviderCalls } from './telemetry/provider-calls.ts';

export interface RuntimeOptions {
  logger: Logger;
  /**
   * The providers this runtime knows (their names, capabilities, variables and client factories),
   * built once by the entry point (the built-in ones, `[...builtinProviders, mine]`); the configuration
   * must have been loaded with their variables (src/settings/: loadSettings or loadServiceConfig with the same list).
   */
  providers: readonly ProviderDefinition[];
  /** Injected provider clients (tests, demo); default: built from the configuration, through each definition's `create`. */
  clients?: ProviderClients;
  eventsMaxLen?: number;
  /**
   * At shutdown, how long Redis has to take the last writes once no provider call is in flight;
   * past it the process gives up on Redis (the sweep and reconciliation deal with what was not
   * written). @defaultValue 5000
   */
  shutdownGraceMs?: number;
  /**
   * Traces on: the registered global tracer provider (startTracing's, or a test's). HTTP requests,
   * enqueues, jobs and provider calls become spans of one trace per withdrawal. Absent: no span is
   * made and BullMQ runs without telemetry.
   */
  tracerProvider?: TracerProvider;
}

/** What a shutdown could not wait for (empty when it stopped cleanly). */
export interface ShutdownReport {
  gaveUp: string[];
}

export interface Runtime {
  config: Config;
  logger: Logger;
  /** The providers this runtime knows (enabled or not). */
  providers: readonly ProviderDefinition[];
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
  /** /metrics, /healthz and /readyz on HOST:`port`, for a process without the API (METRICS_PORT). */
  startMetricsServer(port: number): Promise<FastifyInstance>;
  /**
   * Graceful and bounded: stops the API and the workers taking work, lets in-flight provider calls
   * end (each within PROVIDER_TIMEOUT_MS), gives Redis `shutdownGraceMs` more for the last writes,
   * then gives up on what Redis did not take and closes. Idempotent.
   */
  close(): Promise<ShutdownReport>;
}

/** Wires one process: Redis connections, store, queues, provider clients, and on demand the API and workers. */
export async function createRuntime(config: Config, opts: RuntimeOptions): Promise<Runtime> {
  const { logger } = opts;
  // Built before anything connects: a variable a feature refuses fails the start at once.
  const { providers } = opts;
  const names = providers.map((d) => d.name);
  if (new Set(names).size !== names.length) throw new Error(`createRuntime: provider names must differ (${names.join(', ')})`);
  const settings = serviceSettings(config, providers);
  const keys = createKeys(config.QUEUE_PREFIX);
  // The commands of concurrent requests (a batch stores up to 1,024 items at once) are pipelined: one
  // write for many. Not on the workers' connection: BullMQ blocks on it.
  // A plain REDIS_URL of a Cluster node is that cluster's seed.
  const target = await resolveRedisTarget(config);
  if (target.url !== config.REDIS_URL) logger.info('REDIS_URL names a Redis Cluster node: connecting to the cluster through it');
  const requestRedis: RedisClient = createRedis(target, { role: 'request', connectionName: 'withdrawals-api', autoPipelining: true });
  const workerRedis: RedisClient = createRedis(target, { role: 'worker', connectionName: 'withdrawals-queues' });
  requestRedis.on('error', (err) => logger.debug({ err: err.message }, 'redis connection error'));
  workerRedis.on('error', (err) => logger.debug({ err: err.message }, 'redis connection error'));
  await checkRedisSafety(workerRedis, logger);
  // The request connection answers 503 while not ready (no offline queue): be ready before serving.
  await waitUntilReady(requestRedis, 10_000);

  // Counted once the metrics exist (they read the store, so they come after it).
  let countShortfall: ((kind: ShortfallKind) => void) | undefined;
  const onShortfall = (kind: ShortfallKind) => {
    logger.warn({ kind, replicas: settings.store.replicaAck?.count }, 'Redis replicas did not confirm a write within REDIS_ACK_TIMEOUT_MS');
    countShortfall?.(kind);
  };
  const storeOptions = { ...settings.store, providers: names, eventsMaxLen: opts.eventsMaxLen ?? settings.store.eventsMaxLen, onShortfall };
  const store = createStore({ redis: requestRedis, keys, ...storeOptions });
  const workerStore = createStore({ redis: workerRedis, keys, ...storeOptions });
  const webhooks = createWebhooks({ connection: workerRedis, requestRedis, keys, logger, settings: settings.webhooks });
  const tracing = createTracing(opts.tracerProvider, { bullmqHousekeeping: config.TRACE_BULLMQ_HOUSEKEEPING });
  const queues = withWebhookQueue(createQueues(workerRedis, keys, { ...settings.queues, telemetry: tracing?.bullmq }), webhooks.queue);
  // A Queue without an 'error' listener prints reconnect errors to stderr, bypassing the logger.
  for (const q of queues.all()) q.on('error', (err) => logger.debug({ err: err.message, queue: q.name }, 'queue connection error'));
  const clients = opts.clients ?? createProviderClients(settings.providers, logger);
  const enabled = names.filter((p) => clients[p] !== undefined);

  // Threads start on the first batch; a process that never takes one never starts them.
  const validationPool = createValidationPool({ threads: settings.validationThreads, logger });
  const enqueueDeps = createEnqueueDeps(settings.enqueue, { store, queues, logger, providers: enabled, validationPool, tracer: tracing?.tracer });

  const producers = [...new Set([DEFAULT_PRODUCER, ...config.API_TOKENS.map((t) => t.name), ...config.OPERATOR_TOKENS.map((t) => t.name)])];
  const metrics = createMetrics({
    store,
    queues,
    logger,
    webhookDeliveries: () => webhooks.stats.snapshot(),
    producers,
    dailyLimits: settings.enqueue.policy.daily,
    producerLabels: config.METRICS_PRODUCER_LABELS,
  });
  countShortfall = (kind) => metrics.observe.replicaShortfall(kind);
  // The primary the request connection writes the deployment's slot to: named by /readyz, its changes counted.
  const primary = () => primaryAddress(requestRedis, keys.events);
  const stopWatchingPrimary = watchPrimary(requestRedis, keys.events, (from, to) => {
    logger.warn({ from, to }, 'the Redis primary changed (failover): writing to the new one');
    metrics.observe.redisFailover();
  });

  let api: FastifyInstance | undefined;
  let metricsServer: FastifyInstance | undefined;
  const running: RunningWorkers[] = [];
  const webhookRuns: RunningWebhooks[] = [];
  // The workers' provider calls, counted: shutdown waits for each (never longer than its timeout).
  const inFlight = createInFlight();
  const workerClients = trackCalls(tracing ? traceProviderCalls(clients, tracing.tracer) : clients, inFlight);
  const workersRunning = () => running.every((r) => r.workers.every((w) => w.isRunning()));
  let closing: Promise<ShutdownReport> | undefined;

  /** Stops everything at once, waits within bounds, and says what it gave up on. */
  async function shutdown(): Promise<ShutdownReport> {
    stopWatchingPrimary();
    const failures: unknown[] = [];
    const failed = (step: string, err: unknown) => {
      failures.push(err);
      logger.error({ err, step }, 'shutdown: a step failed');
    };
    // No request, job, fan-out or delivery starts after this; those in flight go on.
    const stopping: Record<string, Promise<unknown>> = {
      'api requests': api?.close() ?? Promise.resolve(),
      'metrics server': metricsServer?.close() ?? Promise.resolve(),
      'worker jobs': Promise.all(running.map((r) => r.close())),
      'webhook fan-out and deliveries': Promise.all(webhookRuns.map((r) => r.close())),
    };
    // A provider call ends by its own timeout; Redis then has the grace to take the outcomes.
    let grace: ReturnType<typeof delay> | undefined;
    const deadline = inFlight.idle().then(() => {
      grace = delay(opts.shutdownGraceMs ?? 5000);
      return grace.done;
    });
    const gaveUp = await settleBy(stopping, deadline, failed);
    grace?.cancel();
    const redisStatus = workerRedis.status;
    const redisUp = gaveUp.length === 0 && redisStatus === 'ready';
    if (!redisUp) {
      api?.server.closeAllConnections();
      metricsServer?.server.closeAllConnections();
      // Dropped at once: commands waiting for a reconnect fail now instead of holding jobs and queues.
      requestRedis.disconnect();
      workerRedis.disconnect();
    }
    // Closing a queue waits for Redis: bounded while Redis answers, not waited for at all when it does not.
    gaveUp.push(...(await settleBy({ 'queue connections': queues.close() }, delay(redisUp ? 5000 : 0).done, failed)));
    if (gaveUp.length > 0) {
      logger.warn({ gaveUp, redis: redisStatus }, 'shutdown: gave up waiting for Redis; what it did not take is left to the sweep and reconciliation');
    }
    // Calls begun after the deadline (a lookup of a job fetched before close) still end before the exit.
    await inFlight.idle();
    await closeProviderClients(clients).catch((err: unknown) => failed('provider clients', err));
    await validationPool.close().catch((err: unknown) => failed('validation threads', err));
    await Promise.all([closeRedis(requestRedis), closeRedis(workerRedis)]);
    if (failures.length > 0) throw new AggregateError(failures, 'shutdown: some steps failed (logged above)');
    return { gaveUp };
  }

  return {
    config,
    logger,
    providers,
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
        limiter: createRateLimiter(requestRedis, keys, settings.rateLimits),
        maxConcurrentPerToken: config.API_MAX_CONCURRENT_PER_TOKEN,
        maxConnections: config.API_MAX_CONNECTIONS,
        httpMetrics: metrics.http,
        ready: async () => (workersRunning() ? null : 'workers not running'),
        primary,
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
        clients: workerClients,
        logger,
        observe: metrics.observe,
        providers: o.providers,
        capabilities: Object.fromEntries(providers.map((d) => [d.name, d.capabilities])),
        telemetry: tracing?.bullmq,
        settings: { ...settings.workers, submitConcurrency: o.submitConcurrency ?? settings.workers.submitConcurrency },
      });
      running.push(w);
      webhookRuns.push(await webhooks.start());
      return w;
    },
    async startMetricsServer(port) {
      metricsServer = await buildMetricsServer({
        logger,
        redis: requestRedis,
        metrics,
        primary,
        ready: async () => {
          if (running.length === 0) return 'workers not started';
          return workersRunning() ? null : 'workers not running';
        },
      });
      await metricsServer.listen({ host: config.HOST, port });
      return metricsServer;
    },
    close() {
      closing ??= shutdown();
      return closing;
    },
  };
}
