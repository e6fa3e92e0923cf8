/**
 * The service embedded in another process, as the package offers it: the providers a caller names
 * (default: the built-in ones) are the one list everything below is given.
 */
import type { Config } from './config.ts';
import type { ProviderDefinition } from './providers/definition.ts';
import { builtinProviders } from './providers/index.ts';
import { createRuntime as createRuntimeOf, type Runtime, type RuntimeOptions as CoreRuntimeOptions } from './runtime.ts';
import { loadServiceConfig } from './settings/index.ts';

/** createRuntime's options: `providers` may be left out for the built-in ones. */
export type RuntimeOptions = Omit<CoreRuntimeOptions, 'providers'> & { providers?: readonly ProviderDefinition[] };

/**
 * Wires one process (src/runtime.ts) for `providers`, default the built-in ones; the configuration
 * must have been loaded with the same list (loadConfig).
 */
export function createRuntime(config: Config, opts: RuntimeOptions): Promise<Runtime> {
  return createRuntimeOf(config, { ...opts, providers: opts.providers ?? builtinProviders });
}

/** The environment read and checked once, with the variables of `providers` (default: the built-in ones) in `config.providerVariables`. */
export function loadConfig(env: Record<string, string | undefined>, providers: readonly ProviderDefinition[] = builtinProviders): Config {
  return loadServiceConfig(env, providers);
}
