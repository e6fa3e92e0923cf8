import type { Config } from '../config.ts';
import type { WithdrawalsClientOptions } from '../client/types.ts';
import type { ProviderDefinition } from '../providers/definition.ts';
import { isSet, POLICY_VARIABLES, stricterPolicy, type PolicyVariable } from './client-policy.ts';
import { configuredProviders, loadServiceConfig } from './providers.ts';

function str(v: number | bigint | boolean | undefined): string | undefined {
  return v === undefined ? undefined : String(v);
}

/**
 * The library client's options as the service's configuration (as the variables they are named
 * after): one set of defaults and checks for both, and the same settings functions after it. The
 * money policy (POLICY_VARIABLES) comes from `env` as the API takes it, where no option gives it;
 * where both do, the stricter wins (stricterPolicy): an option never loosens what the service enforces.
 */
export function clientConfig(o: WithdrawalsClientOptions, env: Record<string, string | undefined>, providers: readonly ProviderDefinition[]): Config {
  const options: Record<PolicyVariable, string | undefined> = {
    APPROVAL_THRESHOLD_MSAT: str(o.approvalThresholdMsat),
    APPROVALS_REQUIRED: str(o.approvalsRequired),
    LIMIT_DAILY_AMOUNT_MSAT: str(o.dailyAmountLimitMsat),
    LIMIT_DAILY_COUNT: str(o.dailyCountLimit),
    QUOTA_DAILY_CREATED: str(o.dailyCreatedQuota),
    MAX_AMOUNT_MSAT: str(o.maxAmountMsat),
    AUTO_PROVIDER_ORDER: o.autoProviderOrder?.join(','),
    ALLOW_ONCHAIN: str(o.allowOnchain),
    INVOICE_EXPIRY_MARGIN_S: str(o.invoiceExpiryMarginS),
    LNURL_ALLOW_PRIVATE: str(o.lnurlAllowPrivate),
  };
  const environment = Object.fromEntries(POLICY_VARIABLES.filter((v) => isSet(env, v)).map((v) => [v, env[v]]));
  // The environment's policy is checked on its own first: a bad value there is named, option or not.
  const fromEnv = loadServiceConfig(environment, providers);
  // Each option where it is given, else its variable.
  const config = loadServiceConfig({
    ...environment,
    ...Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)),
    REDIS_URL: o.redisUrl,
    REDIS_SENTINELS: o.redisSentinels,
    REDIS_SENTINEL_NAME: o.redisSentinelName,
    REDIS_MIN_REPLICAS_ACK: str(o.redisMinReplicasAck),
    REDIS_ACK_TIMEOUT_MS: str(o.redisAckTimeoutMs),
    QUEUE_PREFIX: o.prefix,
    LN_NETWORK: o.network,
    RECONCILE_GRACE_MS: str(o.reconcileGraceMs),
    SUBMIT_ATTEMPTS: str(o.submitAttempts),
    SUBMIT_BACKOFF_MS: str(o.submitBackoffMs),
    EVENTS_MAX_LEN: str(o.eventsMaxLen),
    EVENTS_MAX_BYTES: str(o.eventsMaxBytes),
    VALIDATION_THREADS: str(o.validationThreads),
  }, providers);
  const both = new Set(POLICY_VARIABLES.filter((v) => isSet(env, v) && options[v] !== undefined));
  return { ...config, ...stricterPolicy(config, fromEnv, both) };
}

/** Client options for a process that runs with the service's environment (the `withdrawals batch` command). */
export function clientOptionsFromConfig(config: Config, providers: readonly ProviderDefinition[]): WithdrawalsClientOptions {
  return {
    redisUrl: config.REDIS_URL,
    redisSentinels: config.REDIS_SENTINELS ?? undefined,
    redisSentinelName: config.REDIS_SENTINEL_NAME,
    redisMinReplicasAck: config.REDIS_MIN_REPLICAS_ACK,
    redisAckTimeoutMs: config.REDIS_ACK_TIMEOUT_MS,
    prefix: config.QUEUE_PREFIX,
    network: config.LN_NETWORK,
    providers: configuredProviders(config, providers),
    allowOnchain: config.ALLOW_ONCHAIN,
    lnurlAllowPrivate: config.LNURL_ALLOW_PRIVATE,
    maxAmountMsat: config.MAX_AMOUNT_MSAT ?? undefined,
    // The money policy holds for a batch file as for the API: approvals, daily limits, routing.
    approvalThresholdMsat: config.APPROVAL_THRESHOLD_MSAT ?? undefined,
    approvalsRequired: config.APPROVALS_REQUIRED,
    dailyAmountLimitMsat: config.LIMIT_DAILY_AMOUNT_MSAT ?? undefined,
    dailyCountLimit: config.LIMIT_DAILY_COUNT ?? undefined,
    dailyCreatedQuota: config.QUOTA_DAILY_CREATED ?? undefined,
    autoProviderOrder: config.AUTO_PROVIDER_ORDER ?? undefined,
    invoiceExpiryMarginS: config.INVOICE_EXPIRY_MARGIN_S,
    reconcileGraceMs: config.RECONCILE_GRACE_MS,
    submitAttempts: config.SUBMIT_ATTEMPTS,
    submitBackoffMs: config.SUBMIT_BACKOFF_MS,
    eventsMaxLen: config.EVENTS_MAX_LEN,
    eventsMaxBytes: config.EVENTS_MAX_BYTES,
    validationThreads: config.VALIDATION_THREADS ?? undefined,
  };
}
