/**
 * What the engine knows of a provider, in one value per provider folder: its name, what it can pay,
 * its own configuration variables, how they become its client's settings, and the client factory.
 * Everything outside src/providers/ works from definitions (the runtime's list), never from names.
 */
import type { z } from 'zod';
import type { VariablesSchema } from '../config-fields.ts';
import type { Network } from '../invoices/network.ts';
import type { Logger } from '../logger.ts';
import type { Sandbox } from './sandbox/index.ts';
import type { ProviderClient } from './types.ts';

/** What a provider's API can do: the checks, the routing of `auto` and the submit effect read these. */
export interface ProviderCapabilities {
  /** It takes an amount with the invoice, so it can pay an invoice that carries none. */
  amountlessInvoices: boolean;
  /** It pays on-chain addresses. */
  onchain: boolean;
  /** Its "paid" on submit is explicit settlement; otherwise a lookup confirms it. */
  settlesOnSubmit: boolean;
}

/**
 * The plain-data part of a definition (what the withdrawal checks need, copied into validation threads).
 * `label` names the provider in messages; `keyVariable` is the variable whose absence disables it.
 */
export interface ProviderProfile {
  name: string;
  label: string;
  keyVariable: string;
  capabilities: ProviderCapabilities;
}

/** The service-wide variables every provider's settings may read besides its own. */
export interface SharedProviderVariables {
  /** PROVIDER_TIMEOUT_MS, in ms. */
  PROVIDER_TIMEOUT_MS: number;
  /** LN_NETWORK. */
  LN_NETWORK: Network;
}

/** What a client factory is given besides its settings. */
export interface ProviderDeps {
  logger: Logger;
}

/** Per-provider worker limits from its variables; unset: the service-wide defaults. */
export interface ProviderLimits {
  /** Submit jobs one worker process runs at once. @defaultValue SUBMIT_CONCURRENCY */
  concurrency?: number;
  /** Requests per second across the fleet, submits and lookups together; 0: no limit. @defaultValue 0 */
  ratePerS?: number;
}

/** Where a running sandbox serves each API it speaks. */
export type SandboxAddresses = Pick<Sandbox, 'aurpayUrl' | 'turinpayUrl'>;

/** How the loopback sandbox (src/providers/sandbox) serves a provider. */
export interface ProviderSandbox {
  /** Its variables pointing it at a running sandbox, with the API key the sandbox was started with. */
  variables(sandbox: SandboxAddresses, apiKey: string): Record<string, string>;
}

export interface ProviderDefinition<Schema extends VariablesSchema = VariablesSchema, Settings = unknown> extends ProviderProfile {
  /** Its own environment variables, merged into the configuration's schema. */
  configSchema: Schema;
  /** Its variables to its client's settings; null: disabled (no API key). */
  settings(variables: z.infer<Schema> & SharedProviderVariables): Settings | null;
  /** The client factory. */
  create(settings: Settings, deps: ProviderDeps): ProviderClient;
  limits?(variables: z.infer<Schema>): ProviderLimits;
  /** Present when the sandbox speaks its API (the demo and the tests pay through it). */
  sandbox?: ProviderSandbox;
}

/** Infers a definition's schema and settings types (so `settings` and `create` agree), and returns it for a list of definitions. */
export function defineProvider<Schema extends VariablesSchema, Settings>(definition: ProviderDefinition<Schema, Settings>): ProviderDefinition<Schema, Settings> {
  return definition;
}

/** The plain data of a definition. */
export function profileOf(definition: ProviderProfile): ProviderProfile {
  const { name, label, keyVariable, capabilities } = definition;
  return { name, label, keyVariable, capabilities: { ...capabilities } };
}

/** The variables pointing every definition the sandbox serves at it, each with its API key. */
export function sandboxVariables(definitions: readonly ProviderDefinition[], sandbox: SandboxAddresses, apiKeyOf: (name: string) => string): Record<string, string> {
  return Object.fromEntries(definitions.flatMap((d) => Object.entries(d.sandbox?.variables(sandbox, apiKeyOf(d.name)) ?? {})));
}

/** The definition of `name` in `definitions`, or undefined. */
export function findProvider<T extends ProviderProfile>(definitions: readonly T[], name: string): T | undefined {
  return definitions.find((d) => d.name === name);
}
