import type { Logger } from '../logger.ts';
import type { ProviderName } from '../withdrawals/types.ts';
import type { ProviderDefinition } from './definition.ts';
import type { ProviderClient } from './types.ts';

export type ProviderClients = Partial<Record<ProviderName, ProviderClient>>;

/** An enabled provider: its definition and its client's settings (from `definition.settings`). */
export interface ProviderSetting {
  definition: ProviderDefinition;
  settings: unknown;
}

/** The enabled providers' settings; a provider without an API key is left out (disabled). */
export type ProviderSettings = readonly ProviderSetting[];

/** A disabled provider has no client, and enqueue refuses it (`provider_disabled`). */
export function createProviderClients(settings: ProviderSettings, logger: Logger): ProviderClients {
  const clients: ProviderClients = {};
  for (const { definition, settings: s } of settings) clients[definition.name] = definition.create(s, { logger });
  return clients;
}

export async function closeProviderClients(clients: ProviderClients): Promise<void> {
  await Promise.all(Object.values(clients).map((c) => c?.close?.()));
}
