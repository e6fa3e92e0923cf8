import type { ProviderName } from '../withdrawals/types.ts';

/** What we ask a provider to pay. */
export interface SubmitRequest {
  withdrawalId: string;
  /** BOLT11 invoice, or null for an on-chain address withdrawal. */
  invoice: string | null;
  address: string | null;
  paymentHash: string | null;
  /** Sent to the provider only for amountless invoices (Aurpay); null otherwise. */
  amountMsat: bigint | null;
  description: string | null;
}

/** What we know when asking a provider what became of a withdrawal. */
export interface LookupRequest {
  withdrawalId: string;
  providerRef: string | null;
  paymentHash: string | null;
  invoice: string | null;
  amountMsat: bigint | null;
}

/** A provider's word on a payment, mapped through that provider's status table. */
export type ProviderStatus = 'pending' | 'succeeded' | 'failed';

/**
 * The one outcome of one submit call (architecture.md, "Provider call outcome").
 * `unknown` is a first-class answer: the money may or may not have moved.
 */
export type SubmitOutcome =
  | {
      kind: 'accepted';
      status: ProviderStatus;
      providerRef: string | null;
      feeMsat: bigint | null;
      /** The amount the provider says it moved, when it says (an on-chain withdrawal sends none). */
      amountMsat?: bigint | null;
      raw: unknown;
    }
  | { kind: 'rejected'; message: string; raw: unknown }
  | { kind: 'not_sent'; reason: string; retryAfterMs?: number; authError?: boolean }
  | { kind: 'unknown'; reason: string; raw?: unknown };

/** The outcome of one status lookup. Only `found` with an explicit status can settle. */
export type LookupOutcome =
  | { kind: 'found'; status: ProviderStatus; providerRef: string | null; feeMsat: bigint | null; amountMsat?: bigint | null; raw: unknown }
  | { kind: 'not_found'; reason: string; raw?: unknown }
  | { kind: 'error'; reason: string; retryAfterMs?: number; authError?: boolean; raw?: unknown };

export interface ProviderClient {
  readonly name: ProviderName;
  submit(request: SubmitRequest): Promise<SubmitOutcome>;
  lookup(request: LookupRequest): Promise<LookupOutcome>;
  close?(): Promise<void>;
}
