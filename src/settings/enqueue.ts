import type { Config } from '../config.ts';
import { profileOf, type ProviderDefinition } from '../providers/definition.ts';
import type { EnqueueSettings } from '../withdrawals/enqueue.ts';
import { defaultValidationThreads } from '../withdrawals/validation/default-threads.ts';
import { autoProviderOrder } from './providers.ts';

/**
 * The rules every enqueue applies, the API's, the library's and the CLI's alike; a name in
 * AUTO_PROVIDER_ORDER that is no provider throws a ConfigError.
 */
export function enqueueSettings(config: Config, providers: readonly ProviderDefinition[]): EnqueueSettings {
  return {
    reconcileGraceMs: config.RECONCILE_GRACE_MS,
    maxBatchAmountMsat: config.MAX_BATCH_AMOUNT_MSAT,
    policy: {
      approvalThresholdMsat: config.APPROVAL_THRESHOLD_MSAT,
      approvalsRequired: config.APPROVALS_REQUIRED,
      expiryMarginMs: config.INVOICE_EXPIRY_MARGIN_S * 1000,
      daily: { amountMsat: config.LIMIT_DAILY_AMOUNT_MSAT, count: config.LIMIT_DAILY_COUNT },
      createdQuota: config.QUOTA_DAILY_CREATED,
    },
    checks: {
      network: config.LN_NETWORK,
      expiryMarginSeconds: config.INVOICE_EXPIRY_MARGIN_S,
      allowOnchain: config.ALLOW_ONCHAIN,
      lnurlAllowPrivate: config.LNURL_ALLOW_PRIVATE,
      maxAmountMsat: config.MAX_AMOUNT_MSAT,
      routeOrder: autoProviderOrder(config, providers),
      providers: providers.map(profileOf),
    },
  };
}

/** VALIDATION_THREADS, or when unset one thread per core beyond the first, at most 4. */
export function validationThreads(config: Config): number {
  return config.VALIDATION_THREADS ?? defaultValidationThreads();
}
