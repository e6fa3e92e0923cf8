/**
 * The built-in providers. A runtime works from the list of definitions its entry point builds (these,
 * or with a caller's own: `createRuntime(config, { providers: [...builtinProviders, mine] })`).
 */
import { aurpay } from './aurpay/definition.ts';
import type { ProviderDefinition, ProviderProfile } from './definition.ts';
import { profileOf } from './definition.ts';
import { turinpay } from './turinpay/definition.ts';

export { aurpay } from './aurpay/definition.ts';
export { turinpay } from './turinpay/definition.ts';
export * from './definition.ts';

export const builtinProviders: readonly ProviderDefinition[] = [aurpay, turinpay];

/** The built-in providers' names, in their order. */
export const BUILTIN_PROVIDER_NAMES: readonly string[] = builtinProviders.map((d) => d.name);

/** The built-in providers' plain data (the checks' default). */
export const BUILTIN_PROVIDER_PROFILES: readonly ProviderProfile[] = builtinProviders.map(profileOf);
