/** BOLT11 tagged-field type codes: the bech32 character of the tag is its 5-bit value. */
export const TAG = {
  paymentHash: 1, // p
  routeHint: 3, // r
  features: 5, // 9
  expiry: 6, // x
  fallback: 9, // f
  description: 13, // d
  paymentSecret: 16, // s
  payeeNodeKey: 19, // n
  descriptionHash: 23, // h
  minFinalCltvExpiry: 24, // c
  metadata: 27, // m
} as const;

/** Fixed data lengths (in words); a field of another length must be skipped by a reader. */
export const FIXED_LENGTH: Readonly<Partial<Record<number, number>>> = {
  [TAG.paymentHash]: 52,
  [TAG.paymentSecret]: 52,
  [TAG.descriptionHash]: 52,
  [TAG.payeeNodeKey]: 53,
};

/** Defaults BOLT11 gives when the field is absent. */
export const DEFAULT_EXPIRY_SECONDS = 3600;
export const DEFAULT_MIN_FINAL_CLTV_EXPIRY = 18;

/** Word counts of the fixed parts of the data part. */
export const TIMESTAMP_WORDS = 7; // 35 bits
export const SIGNATURE_WORDS = 104; // 520 bits = 64-byte r||s + 1 recovery byte
