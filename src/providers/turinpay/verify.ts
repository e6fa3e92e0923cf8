import type { TurinpayWithdrawal } from './schemas.ts';

/**
 * Is this answer about OUR payment on OUR network? A TurinPay answer for
 * another payment or another network means it did something, somewhere: the
 * outcome is unknown (submit) or an error (lookup), never a settlement.
 */

export const TURINPAY_NETWORKS = ['bitcoin', 'testnet', 'signet', 'regtest'] as const;
export type TurinpayNetwork = (typeof TURINPAY_NETWORKS)[number];

const NETWORK_WORDS: Readonly<Record<string, TurinpayNetwork>> = {
  MAINNET: 'bitcoin',
  BITCOIN: 'bitcoin',
  TESTNET: 'testnet',
  SIGNET: 'signet',
  REGTEST: 'regtest',
};

const PAYMENT_HASH = /^[0-9a-f]{64}$/i;

export interface Expected {
  network: TurinpayNetwork;
  paymentHash: string | null;
  invoice: string | null;
}

/** null when the answer is consistent with what we sent; otherwise the reason it is not. */
export function mismatch(w: TurinpayWithdrawal, expected: Expected): string | null {
  if (typeof w.network === 'string') {
    const key = w.network.trim().toUpperCase();
    const network = Object.hasOwn(NETWORK_WORDS, key) ? NETWORK_WORDS[key] : undefined;
    const word = JSON.stringify(w.network.slice(0, 32));
    if (network === undefined) return `answer names network ${word}, which is not recognised`;
    if (network !== expected.network) return `answer is for network ${word}, we are on ${expected.network}`;
  }
  if (expected.paymentHash !== null) {
    if (w.ln?.id && !same(w.ln.id, expected.paymentHash)) return 'answer ln.id is another payment hash';
    // invoiceId is compared only when it has a payment hash's shape: elsewhere it may be TurinPay's own id.
    if (w.invoiceId && PAYMENT_HASH.test(w.invoiceId) && !same(w.invoiceId, expected.paymentHash)) {
      return 'answer invoiceId is another payment hash';
    }
  }
  if (expected.invoice !== null && w.ln?.request && !same(w.ln.request, expected.invoice)) {
    return 'answer ln.request is another invoice';
  }
  return null;
}

function same(a: string, b: string): boolean {
  return a.trim().toLowerCase() === b.trim().toLowerCase();
}
