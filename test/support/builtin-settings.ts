/**
 * The settings functions as a process with the built-in providers calls them: the tests' one list
 * of providers, unless a test brings its own.
 */
import type { Config } from '../../src/config.ts';
import { builtinProviders, type ProviderDefinition } from '../../src/providers/index.ts';
import * as settings from '../../src/settings/index.ts';

type Env = Record<string, string | undefined>;
type Definitions = readonly ProviderDefinition[];

export const loadConfig = (env: Env, providers: Definitions = builtinProviders): Config => settings.loadServiceConfig(env, providers);
export const loadSettings = (env: Env, providers: Definitions = builtinProviders) => settings.loadSettings(env, providers);
export const providerSettings = (config: Config, providers: Definitions = builtinProviders) => settings.providerSettings(config, providers);
export const providerLimits = (config: Config, providers: Definitions = builtinProviders) => settings.providerLimits(config, providers);
