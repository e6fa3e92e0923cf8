/**
 * The bech32 layer of an invoice (BIP-173 without the 90-character limit),
 * with the structural checks done here first so that, when @scure/base still
 * refuses the string, the only cause left is the checksum.
 */
import { bech32 } from '@scure/base';
import { InvoiceError } from './errors.ts';

const CHARSET = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';
const CHECKSUM_CHARS = 6;
const BECH32_DATA = new RegExp(`^[${CHARSET}]*$`);

export function readBech32(input: string): { hrp: string; words: number[] } {
  const lower = input.toLowerCase();
  // BIP-173: all lowercase or all uppercase; uppercase (QR codes) reads as lowercase.
  if (input !== lower && input !== input.toUpperCase()) {
    throw new InvoiceError('invoice mixes upper and lower case; bech32 allows only one case');
  }
  if (lower.startsWith('lightning:')) {
    throw new InvoiceError('invoice starts with "lightning:"; send the bare BOLT11 string without the URI prefix');
  }
  const sep = lower.lastIndexOf('1');
  if (sep < 1) throw new InvoiceError('invoice is not bech32: it has no "1" separator after a prefix');
  const hrp = lower.slice(0, sep);
  const data = lower.slice(sep + 1);
  for (const ch of hrp) {
    const code = ch.charCodeAt(0);
    if (code < 33 || code > 126) throw new InvoiceError('invoice prefix contains a character bech32 does not allow');
  }
  if (!BECH32_DATA.test(data)) {
    const ch = [...data].find((c) => !CHARSET.includes(c));
    throw new InvoiceError(`invoice contains "${ch}", which is not a bech32 character`);
  }
  if (data.length < CHECKSUM_CHARS) throw new InvoiceError('invoice is too short to hold a bech32 checksum');
  const decoded = bech32.decodeUnsafe(lower, false);
  if (decoded === undefined) throw new InvoiceError('invoice checksum is wrong (a character is mistyped or missing)');
  return { hrp, words: Array.from(decoded.words) };
}
