import type { FastifyInstance } from 'fastify';
import { buildApi } from './api/server.ts';
import type { Config } from './config.ts';
import { createKeys } from './keys.ts';
import type { Logger } from './logger.ts';
import { closeProviderClients, createProviderClients, type ProviderClients } from './providers/registry.ts';
import { createQueues, type Queues } from './queues/queues.ts';
import { startWorkers, type RunningWorkers } from './queues/workers.ts';
import { createRedis, type RedisClient } from './redis.ts';
import { checkRedisSafety } from './redis-checks.ts';
import type { EnqueueDeps } from './withdrawals/enqueue.ts';
import { createStore, type WithdrawalStore } from './withdrawals/store.ts';
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
  startApi(): Promise<FastifyInstance>;
  startWorkers(opts?: { providers?: readonly ProviderName[]; submitConcurrency?: number }): Promise<RunningWorkers>;
  /** Graceful: stops the API, lets in-flight jobs finish, closes Redis. Idempotent. */
  close(): Promise<void>;
}

/** Wires one process: Redis connections, store, queues, provider clients, and on demand the API and workers. */
export async function createRuntime(config: Config, opts: RuntimeOptions): Promise<Runtime> {
  const { logger } = opts;
  const keys = createKeys(config.QUEUE_PREFIX);
  const requestRedis: RedisClient = createRedis(config.REDIS_URL, { role: 'request', connectionName: 'withdrawals-api' });
  const workerRedis: RedisClient = createRedis(config.REDIS_URL, { role: 'worker', connectionName: 'withdrawals-queues' });
  requestRedis.on('error', (err) => logger.debug({ err: err.message }, 'redis connection error'));
  workerRedis.on('error', (err) => logger.debug({ err: err.message }, 'redis connection error'));
  await checkRedisSafety(workerRedis, logger);

  const store = createStore({ redis: requestRedis, keys, eventsMaxLen: opts.eventsMaxLen ?? 1_000_000 });
  const workerStore = createStore({ redis: workerRedis, keys, eventsMaxLen: opts.eventsMaxLen ?? 1_000_000 });
  const queues = createQueues(workerRedis, keys, { submitAttempts: config.SUBMIT_ATTEMPTS, submitBackoffMs: config.SUBMIT_BACKOFF_MS, keepFinishedJobsS: 3600 });
  const clients = opts.clients ?? createProviderClients(config, logger);
  const enabled = PROVIDERS.filter((p) => clients[p] !== undefined);

  const enqueueDeps: EnqueueDeps = {
    store,
    queues,
    logger,
    reconcileGraceMs: config.RECONCILE_GRACE_MS,
    checks: () => ({
      network: config.LN_NETWORK,
      nowMs: Date.now(),
      expiryMarginSeconds: config.INVOICE_EXPIRY_MARGIN_S,
      enabledProviders: enabled,
      allowOnchain: config.ALLOW_ONCHAIN,
      maxAmountMsat: config.MAX_AMOUNT_MSAT,
    }),
  };

  let api: FastifyInstance | undefined;
  const running: RunningWorkers[] = [];
  let closing: Promise<void> | undefined;

  return {
    config,
    logger,
    store,
    queues,
    clients,
    enqueueDeps,
    async startApi() {
      api = await buildApi({
        ...enqueueDeps,
        tokens: config.API_TOKENS,
        ready: async () => (running.length === 0 || running.every((r) => r.workers.every((w) => w.isRunning())) ? null : 'workers not running'),
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
      return w;
    },
    close() {
      closing ??= (async () => {
        await api?.close();
        await Promise.all(running.map((r) => r.close()));
        await queues.close();
        await closeProviderClients(clients);
        await Promise.allSettled([requestRedis.quit(), workerRedis.quit()]);
      })();
      return closing;
    },
  };
}
