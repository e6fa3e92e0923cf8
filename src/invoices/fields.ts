/**
 * Reads the tagged fields between the timestamp and the signature. BOLT11 says
 * a reader MUST skip unknown fields and p/h/s/n fields of the wrong length;
 * when a field repeats, the writer put the preferred one first, so the first
 * usable occurrence wins. Missing-field rules are applied by the caller.
 */
import { bytesToHex } from '@noble/hashes/utils';
import { InvoiceError } from './errors.ts';
import { featureBitsFromWords } from './features.ts';
import { FIXED_LENGTH, TAG } from './tags.ts';
import { wordsToBytesTruncating, wordsToUint } from './words.ts';

export interface TaggedFields {
  paymentHash?: string;
  paymentSecret?: string;
  description?: string;
  descriptionHash?: string;
  payeeNodeKey?: Uint8Array;
  expirySeconds?: number;
  minFinalCltvExpiry?: number;
  features?: number[];
  metadata?: string;
}

/** Keeps `expiresAt = timestamp + expiry` a safe integer (timestamps have 35 bits). */
const MAX_FIELD_INTEGER = 2n ** 52n;
const utf8 = new TextDecoder('utf-8', { fatal: true });

export function readTaggedFields(words: readonly number[]): TaggedFields {
  const out: TaggedFields = {};
  let i = 0;
  while (i < words.length) {
    const [tag, hi, lo] = [words[i], words[i + 1], words[i + 2]];
    if (tag === undefined || hi === undefined || lo === undefined) {
      throw new InvoiceError('invoice has a truncated tagged field (no room for its type and length)');
    }
    const length = hi * 32 + lo;
    const data = words.slice(i + 3, i + 3 + length);
    if (data.length !== length) {
      throw new InvoiceError(`invoice tagged field ${tagName(tag)} claims ${length} words but only ${data.length} remain`);
    }
    i += 3 + length;
    const expected = FIXED_LENGTH[tag];
    if (expected !== undefined && length !== expected) continue; // "MUST skip"
    readField(out, tag, data);
  }
  return out;
}

function readField(out: TaggedFields, tag: number, data: number[]): void {
  switch (tag) {
    case TAG.paymentHash:
      out.paymentHash ??= bytesToHex(wordsToBytesTruncating(data));
      return;
    case TAG.paymentSecret:
      out.paymentSecret ??= bytesToHex(wordsToBytesTruncating(data));
      return;
    case TAG.descriptionHash:
      out.descriptionHash ??= bytesToHex(wordsToBytesTruncating(data));
      return;
    case TAG.payeeNodeKey:
      out.payeeNodeKey ??= wordsToBytesTruncating(data);
      return;
    case TAG.description:
      if (out.description === undefined) {
        try {
          out.description = utf8.decode(wordsToBytesTruncating(data));
        } catch (cause) {
          throw new InvoiceError('invoice description (d field) is not valid UTF-8', { cause });
        }
      }
      return;
    case TAG.expiry:
      out.expirySeconds ??= smallInteger(data, 'expiry (x field)');
      return;
    case TAG.minFinalCltvExpiry:
      out.minFinalCltvExpiry ??= smallInteger(data, 'min_final_cltv_expiry (c field)');
      return;
    case TAG.features:
      out.features ??= featureBitsFromWords(data);
      return;
    case TAG.metadata:
      out.metadata ??= bytesToHex(wordsToBytesTruncating(data));
      return;
    default:
      // r (route hints), f (fallback), unknown tags: nothing the payout engine needs.
      return;
  }
}

function smallInteger(data: readonly number[], name: string): number {
  const value = wordsToUint(data);
  if (value > MAX_FIELD_INTEGER) throw new InvoiceError(`invoice ${name} is implausibly large (${value})`);
  return Number(value);
}

const TAG_CHARS = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';

function tagName(tag: number): string {
  return `"${TAG_CHARS[tag] ?? '?'}"`;
}
