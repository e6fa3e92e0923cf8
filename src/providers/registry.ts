import type { Logger } from '../logger.ts';
import type { ProviderName } from '../withdrawals/types.ts';
import { createAurpayClient, type AurpayClientOptions } from './aurpay/client.ts';
import { createTurinpayClient, type TurinpayClientOptions } from './turinpay/client.ts';
import type { ProviderClient } from './types.ts';

export type ProviderClients = Partial<Record<ProviderName, ProviderClient>>;

/** Each provider's client options; null: the provider has no API key and is disabled. */
export interface ProviderSettings {
  aurpay: Omit<AurpayClientOptions, 'logger'> | null;
  turinpay: Omit<TurinpayClientOptions, 'logger'> | null;
}

/** A disabled provider has no client, and enqueue refuses it (`provider_disabled`). */
export function createProviderClients(settings: ProviderSettings, logger: Logger): ProviderClients {
  const clients: ProviderClients = {};
  if (settings.aurpay) clients.aurpay = createAurpayClient({ ...settings.aurpay, logger });
  if (settings.turinpay) clients.turinpay = createTurinpayClient({ ...settings.turinpay, logger });
  return clients;
}

export async function closeProviderClients(clients: ProviderClients): Promise<void> {
  await Promise.all(Object.values(clients).map((c) => c?.close?.()));
}
