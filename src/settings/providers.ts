import { configError, loadConfig, type Config } from '../config.ts';
import type { ProviderDefinition, ProviderLimits, SharedProviderVariables } from '../providers/definition.ts';
import type { ProviderSettings } from '../providers/registry.ts';
import type { ProviderName } from '../withdrawals/types.ts';

/**
 * The environment read and checked once (loadConfig) with the providers' own variables, each
 * definition's `configSchema`, read apart into `config.providerVariables`.
 */
export function loadServiceConfig(env: Record<string, string | undefined>, providers: readonly ProviderDefinition[]): Config {
  return loadConfig(env, providers.map((d) => d.configSchema));
}

/** A definition's own variables (loadConfig parsed them with its configSchema) and the shared ones. */
function variablesOf(config: Config, definition: ProviderDefinition): Record<string, unknown> & SharedProviderVariables {
  const keys = Object.keys(definition.configSchema.shape);
  const missing = keys.filter((key) => !(key in config.providerVariables));
  if (missing.length > 0) {
    throw new Error(`the configuration was loaded without provider ${definition.name}'s variables (${missing.join(', ')}): load it with loadServiceConfig or loadSettings and the same providers`);
  }
  const own = Object.fromEntries(keys.map((key) => [key, config.providerVariables[key]]));
  return { ...own, PROVIDER_TIMEOUT_MS: config.PROVIDER_TIMEOUT_MS, LN_NETWORK: config.LN_NETWORK };
}

/** Each enabled provider's client settings (a provider without an API key is disabled: left out). */
export function providerSettings(config: Config, providers: readonly ProviderDefinition[]): ProviderSettings {
  return providers.flatMap((definition) => {
    const settings = definition.settings(variablesOf(config, definition));
    return settings === null ? [] : [{ definition, settings }];
  });
}

/** Providers with an API key in the configuration: the ones the service's workers can pay through. */
export function configuredProviders(config: Config, providers: readonly ProviderDefinition[]): ProviderName[] {
  return providerSettings(config, providers).map((s) => s.definition.name);
}

/** Each provider's worker limits from its variables (a provider without limits: the service-wide defaults). */
export function providerLimits(config: Config, providers: readonly ProviderDefinition[]): Record<ProviderName, ProviderLimits> {
  return Object.fromEntries(providers.map((d) => [d.name, d.limits?.(variablesOf(config, d)) ?? {}]));
}

/**
 * AUTO_PROVIDER_ORDER as provider names (config.ts has checked the list is not empty and names each
 * once; unset: every provider, in the definitions' order); a name that is no provider throws a
 * ConfigError naming the variable, one line per such name.
 */
export function autoProviderOrder(config: Config, providers: readonly ProviderDefinition[]): ProviderName[] {
  const names = providers.map((d) => d.name);
  if (config.AUTO_PROVIDER_ORDER === null) return names;
  const unknown = config.AUTO_PROVIDER_ORDER.filter((name) => !names.includes(name));
  if (unknown.length > 0) {
    throw configError(unknown.map(() => ({ variable: 'AUTO_PROVIDER_ORDER', message: `must list providers among ${names.join(', ')}` })));
  }
  return [...config.AUTO_PROVIDER_ORDER];
}
