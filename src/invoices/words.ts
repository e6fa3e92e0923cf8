/**
 * 5-bit word helpers for BOLT11. BOLT11 fields are bit strings cut into 5-bit
 * words; bytes inside them are padded with zero bits to a word boundary, and
 * the signed message pads the other way (to a byte boundary).
 */
import { bech32 } from '@scure/base';

/** Big-endian unsigned integer from words; bigint so long fields cannot overflow silently. */
export function wordsToUint(words: readonly number[]): bigint {
  let value = 0n;
  for (const w of words) value = (value << 5n) | BigInt(w);
  return value;
}

/** Big-endian words of `value`: exactly `length` words, or the fewest that hold it (0 → no words). */
export function uintToWords(value: bigint | number, length?: number): number[] {
  let v = BigInt(value);
  if (v < 0n) throw new RangeError('cannot encode a negative integer');
  const words: number[] = [];
  while (v > 0n) {
    words.unshift(Number(v & 31n));
    v >>= 5n;
  }
  if (length === undefined) return words;
  if (words.length > length) throw new RangeError(`${value} does not fit in ${length} words`);
  while (words.length < length) words.unshift(0);
  return words;
}

/** Bytes to words, zero-padding the last word (how BOLT11 writers pack byte fields). */
export function bytesToWords(bytes: Uint8Array): number[] {
  return bech32.toWords(bytes);
}

/** Words to bytes, dropping the trailing pad bits that do not fill a byte (e.g. 52 words → 32 bytes). */
export function wordsToBytesTruncating(words: readonly number[]): Uint8Array {
  return convert(words, false);
}

/** Words to bytes, zero-padding the last byte: the form BOLT11 hashes for its signature. */
export function wordsToBytesPadded(words: readonly number[]): Uint8Array {
  return convert(words, true);
}

function convert(words: readonly number[], pad: boolean): Uint8Array {
  const out: number[] = [];
  let acc = 0;
  let bits = 0;
  for (const w of words) {
    acc = ((acc << 5) | w) & 0xfff; // at most 12 bits are ever pending
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.push((acc >> bits) & 0xff);
    }
  }
  if (pad && bits > 0) out.push((acc << (8 - bits)) & 0xff);
  return Uint8Array.from(out);
}
