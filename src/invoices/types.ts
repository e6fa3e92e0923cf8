import type { Network } from './network.ts';

/** What a BOLT11 invoice says, after every reader rule has passed. Byte fields are lowercase hex. */
export interface DecodedInvoice {
  network: Network;
  /** null: the invoice leaves the amount to the payer. */
  amountMsat: bigint | null;
  /** Unix seconds when the invoice was created. */
  timestamp: number;
  /** `x` field, or the BOLT11 default of 3600 s when absent. */
  expirySeconds: number;
  /** Unix seconds after which the payee refuses the payment: timestamp + expirySeconds. */
  expiresAt: number;
  paymentHash: string;
  paymentSecret: string;
  /** Compressed secp256k1 key (33 bytes), from the `n` field or recovered from the signature. */
  payeeNodeKey: string;
  /** Exactly one of description / descriptionHash is set. */
  description?: string;
  descriptionHash?: string;
  /** `c` field, or the BOLT11 default of 18 blocks. */
  minFinalCltvExpiry: number;
  /** Set feature bit indices of the `9` field, ascending. */
  features: number[];
  /** `m` field (payment metadata) as hex, when present. */
  metadata?: string;
}
