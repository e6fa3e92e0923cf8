import type { ProviderName } from '../withdrawals/types.ts';

export const SETTLE_QUEUE = 'settle';
export const MAINTENANCE_QUEUE = 'maintenance';

export function submitQueueName(provider: ProviderName): string {
  return `submit-${provider}`;
}

/** BullMQ custom ids may not contain ':'; producer ids may. base64url keeps them unique and safe. */
function encodeId(id: string): string {
  return Buffer.from(id, 'utf8').toString('base64url');
}

/** One submit job per withdrawal and round (a round is a fresh start after an operator's resubmit). */
export function submitJobId(id: string, round: number): string {
  return `s_${encodeId(id)}_r${round}`;
}

/**
 * The submit job of part `part` of a batch's round-0 withdrawals routed to `provider`. The provider
 * is in the id: a withdrawal that failed over to another provider is never taken for a member of a
 * part in that provider's queue.
 */
export function partJobId(batchId: string, provider: ProviderName, part: number): string {
  return `p_${encodeId(batchId)}_${encodeId(provider)}_${part}`;
}

export function settleJobId(id: string, round: number): string {
  return `t_${encodeId(id)}_r${round}`;
}
