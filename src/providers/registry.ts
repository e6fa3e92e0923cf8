import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import type { ProviderName } from '../withdrawals/types.ts';
import { createAurpayClient } from './aurpay/client.ts';
import { createTurinpayClient } from './turinpay/client.ts';
import type { ProviderClient } from './types.ts';

export type ProviderClients = Partial<Record<ProviderName, ProviderClient>>;

/** A provider without an API key is disabled: no client, and enqueue refuses it (`provider_disabled`). */
export function createProviderClients(config: Config, logger: Logger): ProviderClients {
  const clients: ProviderClients = {};
  if (config.AURPAY_API_KEY) {
    clients.aurpay = createAurpayClient({
      baseUrl: config.AURPAY_BASE_URL,
      apiKey: config.AURPAY_API_KEY,
      apiSecret: config.AURPAY_API_SECRET,
      apiToken: config.AURPAY_API_TOKEN,
      timeoutMs: config.PROVIDER_TIMEOUT_MS,
      lookupPageSize: config.AURPAY_LOOKUP_PAGE_SIZE,
      lookupMaxPages: config.AURPAY_LOOKUP_MAX_PAGES,
      logger,
    });
  }
  if (config.TURINPAY_API_KEY) {
    clients.turinpay = createTurinpayClient({
      baseUrl: config.TURINPAY_BASE_URL,
      apiKey: config.TURINPAY_API_KEY,
      network: config.LN_NETWORK,
      timeoutMs: config.PROVIDER_TIMEOUT_MS,
      logger,
    });
  }
  return clients;
}

export async function closeProviderClients(clients: ProviderClients): Promise<void> {
  await Promise.all(Object.values(clients).map((c) => c?.close?.()));
}
