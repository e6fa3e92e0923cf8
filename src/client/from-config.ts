/**
 * The client's view of a service configuration, as the package offers it: the providers a caller
 * names, default the built-in ones.
 */
import type { Config } from '../config.ts';
import type { ProviderDefinition } from '../providers/definition.ts';
import { builtinProviders } from '../providers/index.ts';
import * as settings from '../settings/index.ts';
import type { WithdrawalsClientOptions } from './types.ts';
import type { ProviderName } from '../withdrawals/types.ts';

/** Providers with an API key in `config`: the ones the service's workers can pay through. */
export function configuredProviders(config: Config, providers: readonly ProviderDefinition[] = builtinProviders): ProviderName[] {
  return settings.configuredProviders(config, providers);
}

/** Client options for a process that runs with the service's environment (the `withdrawals batch` command). */
export function clientOptionsFromConfig(config: Config, providers: readonly ProviderDefinition[] = builtinProviders): WithdrawalsClientOptions {
  return settings.clientOptionsFromConfig(config, providers);
}
