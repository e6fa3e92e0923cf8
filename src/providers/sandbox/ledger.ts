/** The sandbox's record of every payment it actually made, across both fake providers. */

export type SandboxProvider = 'aurpay' | 'turinpay';

export interface LedgerPayment {
  provider: SandboxProvider;
  paymentHash: string;
  /** The BOLT11 invoice, or the on-chain address for a TurinPay `type: "BTC"` withdrawal. */
  invoice: string;
  amountMsat: bigint;
  /** The provider's id of the withdrawal that paid (Aurpay `tx_id`, TurinPay `invoiceId`), when it has one. */
  providerRef?: string;
  at: Date;
}

export class Ledger {
  readonly #payments: LedgerPayment[] = [];

  /** Records a payment. Deliberately never refuses a repeat: tests detect double pays here. */
  record(payment: Omit<LedgerPayment, 'at'>): LedgerPayment {
    const entry: LedgerPayment = { ...payment, at: new Date() };
    this.#payments.push(entry);
    return entry;
  }

  payments(): LedgerPayment[] {
    return [...this.#payments];
  }

  paymentsFor(paymentHash: string): LedgerPayment[] {
    const wanted = paymentHash.toLowerCase();
    return this.#payments.filter((p) => p.paymentHash === wanted);
  }

  /** Payment hashes paid more than once, counting both providers together. */
  duplicates(): string[] {
    const counts = new Map<string, number>();
    for (const p of this.#payments) counts.set(p.paymentHash, (counts.get(p.paymentHash) ?? 0) + 1);
    return [...counts].filter(([, n]) => n > 1).map(([hash]) => hash);
  }

  totalPaidMsat(): bigint {
    return this.#payments.reduce((sum, p) => sum + p.amountMsat, 0n);
  }
}
