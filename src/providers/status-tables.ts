import type { ProviderStatus } from './types.ts';

/**
 * One table per provider from its status words to ours (architecture.md:
 * "an unknown word maps to keep polling, never to success or failure").
 * Words are compared trimmed and upper-cased. Only words listed here settle;
 * the failure lists are kept small and explicit on purpose.
 */
export type StatusTable = Readonly<Record<string, Exclude<ProviderStatus, 'pending'>>>;

/**
 * Aurpay withdrawals: only SUCCESS is documented (seed). Failure words are
 * explicit refusals of the payment. Left out on purpose (→ pending → review):
 * REFUNDED (an order word that, for orders, follows a completed payment),
 * OVERDUE/RESOLVED/PARTIAL (order words with no withdrawal meaning).
 */
export const AURPAY_STATUS: StatusTable = {
  SUCCESS: 'succeeded',
  FAILED: 'failed',
  FAIL: 'failed',
  TERMINATED: 'failed',
  CANCELLED: 'failed',
  CANCELED: 'failed',
};

/**
 * TurinPay withdrawals: only PAID is documented (example). Left out on purpose
 * (→ pending → review): EXPIRED (an invoice's expiry does not prove that an
 * HTLC already in flight failed) and CONFIRMED (an invoice word on the
 * receiving side, not a payment outcome).
 */
export const TURINPAY_STATUS: StatusTable = {
  PAID: 'succeeded',
  FAILED: 'failed',
  CANCELED: 'failed',
  CANCELLED: 'failed',
};

export function mapStatus(table: StatusTable, word: string | null | undefined): ProviderStatus {
  if (typeof word !== 'string') return 'pending';
  const key = word.trim().toUpperCase();
  // hasOwn: a word like "CONSTRUCTOR" must not reach Object.prototype.
  return Object.hasOwn(table, key) ? (table[key] ?? 'pending') : 'pending';
}
