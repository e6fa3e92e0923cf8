/**
 * BOLT11 reader. Implements the current reader rules itself (the npm decoders
 * miss several, see providers.md 3.4): checksum, case, prefix, amount,
 * field lengths, d/h, required s, unknown compulsory features, and the
 * signature with `n` (verify, low-S only) or without (recover, any S).
 */
import { parseAmount } from './amount.ts';
import { readBech32 } from './bech32.ts';
import { InvoiceError } from './errors.ts';
import { unknownCompulsoryBits } from './features.ts';
import { readTaggedFields } from './fields.ts';
import { splitInvoiceHrp } from './network.ts';
import { checkSignature, signingHash } from './signature.ts';
import { DEFAULT_EXPIRY_SECONDS, DEFAULT_MIN_FINAL_CLTV_EXPIRY, SIGNATURE_WORDS, TIMESTAMP_WORDS } from './tags.ts';
import type { DecodedInvoice } from './types.ts';
import { wordsToBytesTruncating, wordsToUint } from './words.ts';

export function decodeInvoice(invoice: string): DecodedInvoice {
  if (typeof invoice !== 'string' || invoice.length === 0) throw new InvoiceError('invoice is empty');
  const { hrp, words } = readBech32(invoice);

  const split = splitInvoiceHrp(hrp);
  if (split === null) {
    throw new InvoiceError(
      hrp.startsWith('ln')
        ? `invoice prefix "${hrp}" names no known network (expected lnbc, lntb, lntbs or lnbcrt)`
        : `"${hrp}..." is not a Lightning invoice (BOLT11 invoices start with "ln")`,
    );
  }
  const amountMsat = parseAmount(split.amountText);

  if (words.length < TIMESTAMP_WORDS + SIGNATURE_WORDS) {
    throw new InvoiceError('invoice is too short to hold a timestamp and a signature');
  }
  const dataWords = words.slice(0, words.length - SIGNATURE_WORDS);
  const timestamp = Number(wordsToUint(dataWords.slice(0, TIMESTAMP_WORDS)));
  const fields = readTaggedFields(dataWords.slice(TIMESTAMP_WORDS));

  const signature = wordsToBytesTruncating(words.slice(words.length - SIGNATURE_WORDS));
  const payeeNodeKey = checkSignature(signingHash(hrp, dataWords), signature, fields.payeeNodeKey ?? null);

  if (fields.paymentHash === undefined) {
    throw new InvoiceError('invoice has no payment hash (p field of 52 words), which BOLT11 requires');
  }
  if (fields.paymentSecret === undefined) {
    throw new InvoiceError('invoice has no payment secret (s field), which BOLT11 requires');
  }
  if ((fields.description === undefined) === (fields.descriptionHash === undefined)) {
    throw new InvoiceError(
      fields.description === undefined
        ? 'invoice has neither a description (d field) nor a description hash (h field); BOLT11 requires one'
        : 'invoice has both a description (d field) and a description hash (h field); BOLT11 allows only one',
    );
  }
  const features = fields.features ?? [];
  const unknown = unknownCompulsoryBits(features);
  if (unknown.length > 0) {
    throw new InvoiceError(
      `invoice requires unknown feature bit${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}; BOLT11 says a payer must not pay it`,
    );
  }

  const expirySeconds = fields.expirySeconds ?? DEFAULT_EXPIRY_SECONDS;
  return {
    network: split.network,
    amountMsat,
    timestamp,
    expirySeconds,
    expiresAt: timestamp + expirySeconds,
    paymentHash: fields.paymentHash,
    paymentSecret: fields.paymentSecret,
    payeeNodeKey,
    ...(fields.description !== undefined ? { description: fields.description } : {}),
    ...(fields.descriptionHash !== undefined ? { descriptionHash: fields.descriptionHash } : {}),
    minFinalCltvExpiry: fields.minFinalCltvExpiry ?? DEFAULT_MIN_FINAL_CLTV_EXPIRY,
    features,
    ...(fields.metadata !== undefined ? { metadata: fields.metadata } : {}),
  };
}
