import { randomBytes } from 'node:crypto';
import { encodeInvoice, type Network } from '../invoices/index.ts';

/** A throwaway payee key for sandbox invoices (never a real node). */
const PAYEE_KEY = randomBytes(32).toString('hex');

export interface PayeeInvoiceOptions {
  network: Network;
  amountMsat: bigint | null;
  expirySeconds?: number;
  description?: string;
  nowSeconds?: number;
}

/** Creates a fresh, validly signed BOLT11 invoice, as a receiving node would for a payout. */
export function payeeInvoice(opts: PayeeInvoiceOptions): { invoice: string; paymentHash: string } {
  const paymentHash = randomBytes(32).toString('hex');
  const invoice = encodeInvoice({
    network: opts.network,
    amountMsat: opts.amountMsat,
    paymentHash,
    paymentSecret: randomBytes(32).toString('hex'),
    timestamp: opts.nowSeconds ?? Math.floor(Date.now() / 1000),
    expirySeconds: opts.expirySeconds ?? 3600,
    description: opts.description ?? 'payout',
    privateKey: PAYEE_KEY,
  });
  return { invoice, paymentHash };
}
