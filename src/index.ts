/**
 * The package's public surface (`import { createWithdrawalsClient } from 'withdrawals'`): a producer
 * client that enqueues without HTTP, the records and words of the contract, batch-file readers, and
 * for embedding the whole service in another process, createRuntime and loadConfig.
 */
import type { Config } from './config.ts';
import type { ProviderDefinition } from './providers/definition.ts';
import { builtinProviders } from './providers/index.ts';
import { createRuntime as createRuntimeOf, type Runtime, type RuntimeOptions as CoreRuntimeOptions } from './runtime.ts';
import { loadServiceConfig } from './settings/index.ts';

export {
  createWithdrawalsClient,
  clientOptionsFromConfig,
  configuredProviders,
  WithdrawalsClientError,
  type ClientErrorCode,
  type EnqueueBatchOptions,
  type EnqueueOutcome,
  type ListOptions,
  type WaitForBatchOptions,
  type WaitOptions,
  type WithdrawalPage,
  type WithdrawalRecord,
  type WithdrawalView,
  type WithdrawalsClient,
  type WithdrawalsClientOptions,
} from './client/index.ts';

export { STATUSES, TERMINAL_STATUSES, isTerminal, type Status } from './withdrawals/status.ts';
export { ERROR_CODES, type ApiError, type ErrorCode, type ErrorIssue } from './withdrawals/errors.ts';
export { type Failure, type HistoryEntry, type ProviderName } from './withdrawals/types.ts';
export {
  aurpay,
  turinpay,
  builtinProviders,
  BUILTIN_PROVIDER_NAMES,
  BUILTIN_PROVIDER_NAMES as PROVIDERS,
  defineProvider,
  type ProviderCapabilities,
  type ProviderDefinition,
  type ProviderDeps,
  type ProviderLimits,
  type ProviderProfile,
  type SharedProviderVariables,
} from './providers/index.ts';
export type { ProviderClient, SubmitOutcome, LookupOutcome, SubmitRequest, LookupRequest, ProviderStatus } from './providers/types.ts';
export { withdrawalRequestSchema, type WithdrawalRequest } from './withdrawals/request.ts';
export { MAX_BATCH_ITEMS, type BatchAnswer, type BatchItemKind, type BatchRejection, type BatchSummary } from './withdrawals/batches.ts';
export { batchFileItems, formatOfPath, BatchFileError, CSV_COLUMNS, type BatchFileFormat } from './batch-file/index.ts';

export type { Runtime } from './runtime.ts';
export { ConfigError, type Config, type Network } from './config.ts';
export { createLogger, type Logger } from './logger.ts';

/** createRuntime's options: `providers` may be left out for the built-in ones. */
export type RuntimeOptions = Omit<CoreRuntimeOptions, 'providers'> & { providers?: readonly ProviderDefinition[] };

/**
 * Wires one process for `providers`, default the built-in ones: the one list everything below is
 * given. The configuration must have been loaded with the same list (loadConfig).
 */
export function createRuntime(config: Config, opts: RuntimeOptions): Promise<Runtime> {
  return createRuntimeOf(config, { ...opts, providers: opts.providers ?? builtinProviders });
}

/** The environment read and checked once, with the variables of `providers` (default: the built-in ones) in `config.providerVariables`. */
export function loadConfig(env: Record<string, string | undefined>, providers: readonly ProviderDefinition[] = builtinProviders): Config {
  return loadServiceConfig(env, providers);
}
