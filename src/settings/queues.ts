import type { Config } from '../config.ts';
import type { ProviderDefinition } from '../providers/definition.ts';
import type { QueueSettings } from '../queues/queues.ts';
import type { WorkerSettings } from '../queues/workers.ts';
import { providerLimits } from './providers.ts';

/** The queue settings of a configuration: every producer and worker uses the same (one submit queue per provider). */
export function queueSettings(config: Config, providers: readonly ProviderDefinition[]): QueueSettings {
  return {
    providers: providers.map((d) => d.name),
    submitAttempts: config.SUBMIT_ATTEMPTS,
    submitBackoffMs: config.SUBMIT_BACKOFF_MS,
    keepFinishedJobsS: config.JOB_RETENTION_S,
    keepFinishedJobs: config.JOB_RETENTION_COUNT,
  };
}

/** The submit, settle and sweep workers' settings (`withdrawals worker --concurrency` overrides submitConcurrency). */
export function workerSettings(config: Config, providers: readonly ProviderDefinition[]): WorkerSettings {
  const limits = Object.entries(providerLimits(config, providers));
  return {
    approvalExpiryMarginMs: config.INVOICE_EXPIRY_MARGIN_S * 1000,
    reconcileGraceMs: config.RECONCILE_GRACE_MS,
    submitConcurrency: config.SUBMIT_CONCURRENCY,
    settleConcurrency: config.SETTLE_CONCURRENCY,
    submitLockMs: config.SUBMIT_LOCK_MS,
    providerTimeoutMs: config.PROVIDER_TIMEOUT_MS,
    pollMs: config.SETTLE_POLL_MS,
    pollMaxMs: config.SETTLE_POLL_MAX_MS,
    sweepEveryMs: config.SWEEP_EVERY_MS,
    breaker: { threshold: config.BREAKER_THRESHOLD, cooldownMs: config.BREAKER_COOLDOWN_MS },
    providerConcurrency: Object.fromEntries(limits.flatMap(([p, l]) => (l.concurrency ? [[p, l.concurrency]] : []))),
    providerRatePerS: Object.fromEntries(limits.map(([p, l]) => [p, l.ratePerS ?? 0])),
    lnurl: {
      timeoutMs: config.LNURL_TIMEOUT_MS,
      deadlineMs: config.LNURL_RESOLVE_DEADLINE_MS,
      allowPrivate: config.LNURL_ALLOW_PRIVATE,
      network: config.LN_NETWORK,
      expiryMarginSeconds: config.INVOICE_EXPIRY_MARGIN_S,
    },
  };
}
