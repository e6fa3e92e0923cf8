/**
 * Configuration to settings, in one place: each feature takes plain settings (its own types), and
 * only this folder maps the configuration's variables onto them. The entry points (workers/,
 * src/cli/commands/), the runtime and the library client build through it.
 */
import type { RateLimitSettings } from '../api/rate-limit.ts';
import type { Config } from '../config.ts';
import type { ProviderDefinition } from '../providers/definition.ts';
import type { ProviderSettings } from '../providers/registry.ts';
import type { QueueSettings } from '../queues/queues.ts';
import type { WorkerSettings } from '../queues/workers.ts';
import type { TracingSettings } from '../telemetry/settings.ts';
import type { WebhookSettings } from '../webhooks/service.ts';
import type { EnqueueSettings } from '../withdrawals/enqueue.ts';
import { enqueueSettings, validationThreads } from './enqueue.ts';
import { loadServiceConfig, providerSettings } from './providers.ts';
import { queueSettings, workerSettings } from './queues.ts';
import { storeSettings, type StoreSettings } from './store.ts';
import { tracingSettings } from './tracing.ts';
import { configuredWebhook, webhookSettings } from './webhooks.ts';

export { clientConfig, clientOptionsFromConfig } from './client.ts';
export { enqueueSettings, validationThreads } from './enqueue.ts';
export { checkOperatorQuorum, operatorCount } from './operators.ts';
export { autoProviderOrder, configuredProviders, loadServiceConfig, providerLimits, providerSettings } from './providers.ts';
export { queueSettings, workerSettings } from './queues.ts';
export { storeSettings, type StoreSettings } from './store.ts';
export { tracingSettings } from './tracing.ts';
export { configuredWebhook, webhookSettings } from './webhooks.ts';

/** Everything a service process builds from its configuration. */
export interface ServiceSettings {
  store: StoreSettings;
  queues: QueueSettings;
  workers: WorkerSettings;
  enqueue: EnqueueSettings;
  /** Threads validating batch items (VALIDATION_THREADS, or its default). */
  validationThreads: number;
  /** The enabled providers: each definition with its client's settings. */
  providers: ProviderSettings;
  webhooks: WebhookSettings;
  /** Null: traces are off. */
  tracing: TracingSettings | null;
  rateLimits: RateLimitSettings;
}

/**
 * Every setting of a service process (createRuntime), built before anything connects: a value the
 * configuration took but a feature refuses (AUTO_PROVIDER_ORDER, WEBHOOK_URL, WEBHOOK_SECRET,
 * WEBHOOK_EVENTS, and WEBHOOK_URL's address policy) throws a ConfigError naming the variable.
 */
export function serviceSettings(config: Config, providers: readonly ProviderDefinition[]): ServiceSettings {
  return {
    store: storeSettings(config),
    queues: queueSettings(config, providers),
    workers: workerSettings(config, providers),
    enqueue: enqueueSettings(config, providers),
    validationThreads: validationThreads(config),
    providers: providerSettings(config, providers),
    webhooks: webhookSettings(config),
    tracing: tracingSettings(config),
    rateLimits: {
      perTokenPerSecond: config.API_RATE_LIMIT_PER_S,
      authFailuresPerMinute: config.API_AUTH_FAILURES_PER_MIN,
      replaysPerMinute: config.WEBHOOK_REPLAYS_PER_MIN,
    },
  };
}

/** What every command reads from the environment. */
export interface LoadedSettings {
  config: Config;
  enqueue: EnqueueSettings;
  /** WEBHOOK_URL / WEBHOOK_SECRET / WEBHOOK_EVENTS, checked; null: none configured. */
  configuredWebhook: WebhookSettings['configured'];
  validationThreads: number;
  /** Null: traces are off. */
  tracing: TracingSettings | null;
}

/**
 * An entry point's first step: the environment read and checked once (loadConfig), then the checks
 * of the values config.ts takes as plain names or strings (AUTO_PROVIDER_ORDER's providers,
 * WEBHOOK_URL, WEBHOOK_SECRET, WEBHOOK_EVENTS), so that every command refuses the same environment,
 * naming the variable. What only the service does (WEBHOOK_URL's address policy) serviceSettings adds.
 */
export function loadSettings(env: Record<string, string | undefined>, providers: readonly ProviderDefinition[]): LoadedSettings {
  const config = loadServiceConfig(env, providers);
  return {
    config,
    enqueue: enqueueSettings(config, providers),
    configuredWebhook: configuredWebhook(config),
    validationThreads: validationThreads(config),
    tracing: tracingSettings(config),
  };
}
