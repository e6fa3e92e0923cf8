export { createWithdrawalsClient } from './client.ts';
export { clientOptionsFromConfig, configuredProviders } from './from-config.ts';
export { WithdrawalsClientError } from './types.ts';
export type {
  ClientErrorCode,
  EnqueueBatchOptions,
  EnqueueOutcome,
  ListOptions,
  WaitForBatchOptions,
  WaitOptions,
  WithdrawalPage,
  WithdrawalRecord,
  WithdrawalView,
  WithdrawalsClient,
  WithdrawalsClientOptions,
} from './types.ts';
