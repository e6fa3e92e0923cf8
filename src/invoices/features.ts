/**
 * The `9` field: a big-endian bit vector of features (BOLT 9). Bit 0 is the
 * least significant bit of the last word. Even bits are compulsory, odd optional
 * ("it's OK to be odd"): a reader must refuse compulsory bits it does not know.
 */
import { wordsToUint } from './words.ts';

/**
 * Features BOLT 9 marks for the invoice context (`9`): their compulsory (even)
 * bits are understood here, because the providers' Lightning nodes pay them.
 * Any other even bit means "you must support something we do not" → refuse.
 */
export const KNOWN_INVOICE_FEATURES: Readonly<Record<string, readonly [number, number]>> = {
  var_onion_optin: [8, 9],
  payment_secret: [14, 15],
  basic_mpp: [16, 17],
  option_route_blinding: [24, 25],
  option_payment_metadata: [48, 49],
};

const KNOWN_BITS: ReadonlySet<number> = new Set(Object.values(KNOWN_INVOICE_FEATURES).flat());

/** Indices of the set bits, ascending. */
export function featureBitsFromWords(words: readonly number[]): number[] {
  const value = wordsToUint(words);
  const bits: number[] = [];
  for (let i = 0, v = value; v > 0n; i++, v >>= 1n) if ((v & 1n) === 1n) bits.push(i);
  return bits;
}

/** Minimal-length words carrying the given bits. */
export function featureWordsFromBits(bits: readonly number[]): number[] {
  if (bits.length === 0) return [];
  const top = Math.max(...bits);
  const words = new Array<number>(Math.floor(top / 5) + 1).fill(0);
  for (const bit of bits) {
    const index = words.length - 1 - Math.floor(bit / 5);
    words[index] = (words[index] ?? 0) | (1 << bit % 5);
  }
  return words;
}

/** The compulsory bits this reader does not understand (non-empty → the invoice must be refused). */
export function unknownCompulsoryBits(bits: readonly number[]): number[] {
  return bits.filter((b) => b % 2 === 0 && !KNOWN_BITS.has(b));
}
