import type { Status } from './status.ts';

/** A provider's name, as its definition gives it (src/providers/): the runtime's definitions say which exist. */
export type ProviderName = string;

export interface Failure {
  code: string;
  message: string;
  /** Raw provider answer or other evidence, as JSON. */
  provider?: unknown;
}

export interface HistoryEntry {
  status: Status;
  at: string;
  /** Why the change happened (provider outcome, sweep, operator note...). */
  cause?: string;
  /** Operator name for audited actions. */
  actor?: string;
  note?: string;
}

/** A withdrawal as stored and as the API returns it (amounts are msat strings on the wire). */
export interface WithdrawalRecord {
  id: string;
  /** The producer that created it (interface.md, "Who may do what"); `default` for older records. */
  owner: string;
  provider: ProviderName;
  status: Status;
  invoice: string | null;
  /** A Lightning Address or LNURL-pay string; `invoice` and `paymentHash` stay null until it is resolved. */
  lightningAddress: string | null;
  address: string | null;
  paymentHash: string | null;
  amountMsat: string | null;
  feeMsat: string | null;
  providerRef: string | null;
  attempts: number;
  batchId: string | null;
  failure: Failure | null;
  description: string | null;
  metadata: Record<string, unknown> | null;
  createdAt: string;
  updatedAt: string;
  /** Unix ms after which reconciliation gives up (`needs_review`). */
  reconcileDeadline: number;
  history: HistoryEntry[];
}
