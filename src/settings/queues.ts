import type { Config } from '../config.ts';
import type { QueueSettings } from '../queues/queues.ts';
import type { WorkerSettings } from '../queues/workers.ts';

/** The queue settings of a configuration: every producer and worker uses the same. */
export function queueSettings(config: Config): QueueSettings {
  return {
    submitAttempts: config.SUBMIT_ATTEMPTS,
    submitBackoffMs: config.SUBMIT_BACKOFF_MS,
    keepFinishedJobsS: config.JOB_RETENTION_S,
    keepFinishedJobs: config.JOB_RETENTION_COUNT,
  };
}

/** The submit, settle and sweep workers' settings (`withdrawals worker --concurrency` overrides submitConcurrency). */
export function workerSettings(config: Config): WorkerSettings {
  return {
    approvalExpiryMarginMs: config.INVOICE_EXPIRY_MARGIN_S * 1000,
    submitConcurrency: config.SUBMIT_CONCURRENCY,
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
  };
}
