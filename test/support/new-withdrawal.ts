import type { NewWithdrawal } from '../../src/withdrawals/store.ts';

/** A record for the store to create (no invoice checks run at this level), with its own payment hash. */
export function newWithdrawal(id: string, over: Partial<NewWithdrawal> = {}): NewWithdrawal {
  return {
    id,
    owner: 'default',
    provider: 'turinpay',
    bodyHash: 'h1',
    invoice: 'lnbcrt1...',
    address: null,
    paymentHash: `ph-${id}`,
    amountMsat: 1000n,
    sendAmountMsat: null,
    batchId: null,
    description: null,
    metadata: { a: [1, 2], b: {} },
    reconcileDeadline: Date.now() + 60_000,
    ...over,
  };
}
