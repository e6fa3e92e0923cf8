export { createWithdrawalsClient } from './client.ts';
export { clientOptionsFromConfig, configuredProviders } from '../settings/index.ts';
export { WithdrawalsClientError } from './types.ts';
export type {
  ClientErrorCode,
  EnqueueBatchOptions,
  EnqueueOutcome,
  WaitForBatchOptions,
  WaitOptions,
  WithdrawalRecord,
  WithdrawalsClient,
  WithdrawalsClientOptions,
} from './types.ts';
