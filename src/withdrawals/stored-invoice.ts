/**
 * How a record stores its invoice. A lowercase BOLT #11 invoice is its human-readable part (up to
 * and with the last '1') and a data part in bech32's 32 characters, 5 bits each: stored, the data
 * part is packed six characters to five of base64url, `~<hrp>.<packed>.<the last 0-5 characters>`,
 * ~40 bytes fewer on a 270-character invoice (each record keeps its invoice for ever). Anything else
 * (an uppercase invoice, no invoice at all) is stored as given. Neither bech32 nor base64url has
 * '~' or '.', and no invoice starts with '~', so a stored value reads back one way only. Written
 * by hand: the packing is ten lines, and no library packs bech32 text into shorter text.
 */
const BECH32 = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';
const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const PACKABLE = /^([a-z0-9]*1)([qpzry9x8gf2tvdw0s3jn54khce6mua7l]+)$/;
const PACKED = /^~([a-z0-9]*1)\.([A-Za-z0-9_-]*)\.([qpzry9x8gf2tvdw0s3jn54khce6mua7l]{0,5})$/;

/** `text` (`fromBits` per character of the alphabet `from`) as `toBits` per character of `to`; leftover bits are dropped. */
function regroup(text: string, from: string, fromBits: number, to: string, toBits: number): string {
  let out = '';
  let acc = 0;
  let bits = 0;
  for (const ch of text) {
    acc = (acc << fromBits) | from.indexOf(ch);
    bits += fromBits;
    while (bits >= toBits) {
      bits -= toBits;
      out += to[(acc >> bits) & ((1 << toBits) - 1)];
    }
    acc &= (1 << bits) - 1;
  }
  return out;
}

/** The invoice as a record stores it. */
export function packInvoice(invoice: string): string {
  const m = PACKABLE.exec(invoice);
  if (!m) return invoice;
  const [, hrp = '', data = ''] = m;
  const whole = data.length - (data.length % 6);
  return `~${hrp}.${regroup(data.slice(0, whole), BECH32, 5, B64URL, 6)}.${data.slice(whole)}`;
}

/** The invoice a record stores (packed or as given). */
export function unpackInvoice(stored: string): string {
  const m = PACKED.exec(stored);
  if (!m) return stored;
  const [, hrp = '', packed = '', rest = ''] = m;
  return `${hrp}${regroup(packed, B64URL, 6, BECH32, 5)}${rest}`;
}
