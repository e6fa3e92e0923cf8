/**
 * The package's public surface (`import { createWithdrawalsClient } from 'withdrawals'`): a producer
 * client that enqueues without HTTP, the records and words of the contract, batch-file readers, and
 * for embedding the whole service in another process, createRuntime and loadConfig.
 */
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

export { createRuntime, loadConfig, type RuntimeOptions } from './library-runtime.ts';
export type { Runtime } from './runtime.ts';
export { ConfigError, type Config, type Network } from './config.ts';
export { createLogger, type Logger } from './logger.ts';
