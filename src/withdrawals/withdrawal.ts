import type { Status } from './status.ts';
import type { ProviderName } from './types.ts';

/**
 * A withdrawal as the workers, the sweep and the operators' actions read it: the stored hash decoded
 * and checked once (record-codec.ts), so no reader casts a status, parses an amount or defaults a
 * missing field on its own. Absent optional fields are null; the API's view (with history, failure
 * and metadata) is the `WithdrawalRecord` of types.ts.
 */
export interface Withdrawal {
  id: string;
  /** The producer that created it; `default` for records written before owners existed. */
  owner: string;
  /** The provider it is (or will next be) submitted to; failover changes it. */
  provider: ProviderName;
  status: Status;
  /** Hash of the request body: a replay with the same body is the same withdrawal. */
  bodyHash: string | null;
  /** The invoice to pay; for a Lightning Address, null until the worker resolved it (then never again). */
  invoice: string | null;
  /**
   * A Lightning Address or LNURL-pay string (interface.md, "Lightning Addresses"); null (the codec's)
   * or absent otherwise.
   */
  lightningAddress?: string | null;
  address: string | null;
  paymentHash: string | null;
  description: string | null;
  /** What the payee receives; null for an on-chain withdrawal until the provider says what it moved. */
  amountMsat: bigint | null;
  /** The amount sent with an amountless invoice; null when the invoice carries it. */
  sendAmountMsat: bigint | null;
  feeMsat: bigint | null;
  providerRef: string | null;
  batchId: string | null;
  /** The attempt token of the submit that holds it (`submitting`); null once final. */
  fence: string | null;
  /** The submit job of the batch part carrying round 0 (src/queues/names.ts `partJobId`); null: its own job, or final. */
  job?: string | null;
  /** Bumped by each operator resubmit: names the round's submit and settle jobs. */
  round: number;
  attempts: number;
  /** Unix ms after which reconciliation gives up (`needs_review`); null once final. */
  reconcileDeadline: number | null;
  /** Unix ms when the invoice expires; null for an address. */
  expiresAt: number | null;
  /** `provider: "auto"`: the providers that can pay it, in order; empty when a provider was named. */
  route: readonly ProviderName[];
  /** Providers of the route that proved they sent nothing (failover moved on from them). */
  tried: readonly ProviderName[];
  /** ISO times. */
  createdAt: string;
  updatedAt: string;
}
