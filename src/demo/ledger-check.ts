import type { Ledger } from '../providers/sandbox/index.ts';
import type { WithdrawalStore } from '../withdrawals/store.ts';

/**
 * Compares the records of a batch with what the sandbox providers really paid: every `succeeded`
 * withdrawal paid exactly once, every `failed` or `cancelled` one never. Returns the disagreements.
 */
export async function ledgerDisagreements(store: WithdrawalStore, ledger: Ledger, batchId: string): Promise<string[]> {
  const ids = await store.batchItemIds(batchId);
  const withdrawals = await Promise.all(ids.map((id) => store.read(id)));
  const problems: string[] = [];
  ids.forEach((id, i) => {
    const w = withdrawals[i];
    if (!w?.paymentHash) return;
    const { status, paymentHash } = w;
    const paid = ledger.paymentsFor(paymentHash).length;
    if (status === 'succeeded' && paid !== 1) problems.push(`${id}: succeeded but paid ${paid} times`);
    if ((status === 'failed' || status === 'cancelled') && paid !== 0) problems.push(`${id}: ${status} but paid ${paid} times`);
    if (paid > 1) problems.push(`${id}: paid ${paid} times`);
  });
  return problems;
}
