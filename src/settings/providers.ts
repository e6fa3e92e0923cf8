import { configError, type Config } from '../config.ts';
import type { ProviderSettings } from '../providers/registry.ts';
import { PROVIDERS, type ProviderName } from '../withdrawals/types.ts';

function isProvider(name: string): name is ProviderName {
  return (PROVIDERS as readonly string[]).includes(name);
}

/** A provider's client options when the configuration holds its API key; without one it is disabled. */
export function providerSettings(config: Config): ProviderSettings {
  return {
    aurpay: config.AURPAY_API_KEY
      ? {
          baseUrl: config.AURPAY_BASE_URL,
          apiKey: config.AURPAY_API_KEY,
          apiSecret: config.AURPAY_API_SECRET,
          apiToken: config.AURPAY_API_TOKEN,
          timeoutMs: config.PROVIDER_TIMEOUT_MS,
          lookupPageSize: config.AURPAY_LOOKUP_PAGE_SIZE,
          lookupMaxPages: config.AURPAY_LOOKUP_MAX_PAGES,
        }
      : null,
    turinpay: config.TURINPAY_API_KEY
      ? { baseUrl: config.TURINPAY_BASE_URL, apiKey: config.TURINPAY_API_KEY, network: config.LN_NETWORK, timeoutMs: config.PROVIDER_TIMEOUT_MS }
      : null,
  };
}

/** Providers with an API key in the configuration: the ones the service's workers can pay through. */
export function configuredProviders(config: Config): ProviderName[] {
  return PROVIDERS.filter((p) => (p === 'aurpay' ? config.AURPAY_API_KEY : config.TURINPAY_API_KEY) !== null);
}

/**
 * AUTO_PROVIDER_ORDER as provider names (config.ts has checked the list is not empty and names each
 * once); a name that is no provider throws a ConfigError naming the variable, one line per such name.
 */
export function autoProviderOrder(config: Config): ProviderName[] {
  const unknown = config.AUTO_PROVIDER_ORDER.filter((name) => !isProvider(name));
  if (unknown.length > 0) {
    throw configError(unknown.map(() => ({ variable: 'AUTO_PROVIDER_ORDER', message: `must list providers among ${PROVIDERS.join(', ')}` })));
  }
  return config.AUTO_PROVIDER_ORDER.filter(isProvider);
}
