/**
 * Writes signed BOLT11 invoices. The engine only pays invoices, so this exists
 * for tests, the sandbox providers and the demo: it must produce exactly what a
 * real node would (and what `decodeInvoice` accepts).
 */
import { secp256k1 } from '@noble/curves/secp256k1';
import { bech32 } from '@scure/base';
import { hexToBytes, utf8ToBytes } from '@noble/hashes/utils';
import { encodeAmount } from './amount.ts';
import { InvoiceError } from './errors.ts';
import { featureWordsFromBits } from './features.ts';
import { INVOICE_PREFIXES } from './network.ts';
import type { Network } from './network.ts';
import { signHash, signingHash } from './signature.ts';
import { DEFAULT_MIN_FINAL_CLTV_EXPIRY, TAG, TIMESTAMP_WORDS } from './tags.ts';
import { bytesToWords, uintToWords } from './words.ts';

/** var_onion_optin (8) and payment_secret (14), compulsory: what the spec examples and current nodes set. */
export const DEFAULT_FEATURE_BITS: readonly number[] = [8, 14];

export interface EncodeInvoiceOptions {
  network: Network;
  /** Omitted or null: an amountless ("any amount") invoice. */
  amountMsat?: bigint | null;
  /** 32 bytes hex. */
  paymentHash: string;
  /** 32 bytes hex. */
  paymentSecret: string;
  /** Unix seconds. */
  timestamp: number;
  /** `x` field; omitted → no field, which readers take as 3600 s. */
  expirySeconds?: number;
  /** `d` field. Ignored when `descriptionHash` is given; default "". */
  description?: string;
  /** `h` field instead of `d`: 32 bytes hex. */
  descriptionHash?: string;
  /** `c` field. @defaultValue 18 */
  minFinalCltvExpiry?: number;
  /** `9` field: set bit indices. @defaultValue [8, 14] */
  features?: readonly number[];
  /** `m` field: hex bytes. */
  metadata?: string;
  /** Also write the payee key in an `n` field (readers then verify instead of recovering). */
  includePayeeNodeKey?: boolean;
  /** 32 bytes hex: the payee node's key. */
  privateKey: string;
}

export function encodeInvoice(opts: EncodeInvoiceOptions): string {
  const privateKey = hexBytes(opts.privateKey, 32, 'privateKey');
  const hrp = INVOICE_PREFIXES[opts.network] + (opts.amountMsat == null ? '' : encodeAmount(opts.amountMsat));

  if (!Number.isSafeInteger(opts.timestamp) || opts.timestamp < 0 || opts.timestamp >= 2 ** 35) {
    throw new InvoiceError('invoice timestamp must be whole unix seconds that fit in 35 bits');
  }
  const words: number[] = uintToWords(opts.timestamp, TIMESTAMP_WORDS);
  const field = (tag: number, data: readonly number[]): void => {
    // 10-bit length: a field holds at most 1023 words (639 bytes).
    if (data.length > 1023) throw new InvoiceError(`invoice field ${tag} is too long (${data.length} words, max 1023)`);
    words.push(tag, ...uintToWords(data.length, 2), ...data);
  };

  field(TAG.paymentHash, bytesToWords(hexBytes(opts.paymentHash, 32, 'paymentHash')));
  field(TAG.paymentSecret, bytesToWords(hexBytes(opts.paymentSecret, 32, 'paymentSecret')));
  if (opts.descriptionHash !== undefined) {
    field(TAG.descriptionHash, bytesToWords(hexBytes(opts.descriptionHash, 32, 'descriptionHash')));
  } else {
    field(TAG.description, bytesToWords(utf8ToBytes(opts.description ?? '')));
  }
  if (opts.includePayeeNodeKey === true) {
    field(TAG.payeeNodeKey, bytesToWords(secp256k1.getPublicKey(privateKey, true)));
  }
  if (opts.expirySeconds !== undefined) field(TAG.expiry, uintToWords(nonNegative(opts.expirySeconds, 'expirySeconds')));
  field(
    TAG.minFinalCltvExpiry,
    uintToWords(nonNegative(opts.minFinalCltvExpiry ?? DEFAULT_MIN_FINAL_CLTV_EXPIRY, 'minFinalCltvExpiry')),
  );
  const featureWords = featureWordsFromBits(opts.features ?? DEFAULT_FEATURE_BITS);
  // BOLT11: a writer with no feature bits set omits the field.
  if (featureWords.length > 0) field(TAG.features, featureWords);
  if (opts.metadata !== undefined) field(TAG.metadata, bytesToWords(hexBytes(opts.metadata, null, 'metadata')));

  const signature = signHash(signingHash(hrp, words), privateKey);
  // BOLT11 invoices routinely exceed BIP-173's 90 characters: no length limit.
  return bech32.encode(hrp, [...words, ...bytesToWords(signature)], false);
}

function hexBytes(hex: string, length: number | null, name: string): Uint8Array {
  if (!/^([0-9a-fA-F]{2})*$/.test(hex) || (length !== null && hex.length !== length * 2)) {
    throw new InvoiceError(`${name} must be ${length === null ? 'an even number of' : length * 2} hex digits`);
  }
  return hexToBytes(hex);
}

function nonNegative(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value < 0) throw new InvoiceError(`${name} must be a non-negative integer`);
  return value;
}
