/** BOLT11 invoices: the reader the payout engine trusts, and a writer for tests and the sandbox. */
export { decodeInvoice } from './decode.ts';
export { encodeInvoice, DEFAULT_FEATURE_BITS } from './encode.ts';
export type { EncodeInvoiceOptions } from './encode.ts';
export { InvoiceError } from './errors.ts';
export { KNOWN_INVOICE_FEATURES } from './features.ts';
export { INVOICE_PREFIXES, NETWORKS, isNetwork, splitInvoiceHrp } from './network.ts';
export type { Network } from './network.ts';
export type { DecodedInvoice } from './types.ts';
export { DEFAULT_EXPIRY_SECONDS, DEFAULT_MIN_FINAL_CLTV_EXPIRY } from './tags.ts';
export { MAX_AMOUNT_MSAT } from './amount.ts';
