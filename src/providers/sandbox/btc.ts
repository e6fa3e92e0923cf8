/** Exact conversions between millisatoshi (bigint) and Aurpay's BTC decimal strings. */

export const MSAT_PER_BTC = 100_000_000_000n;
const FRACTION_DIGITS = 11;
const MIN_FRACTION_DIGITS = 8;

/** 36000n → "0.00000036"; keeps up to 11 decimals, trims trailing zeros but keeps at least 8. */
export function msatToBtc(msat: bigint): string {
  if (msat < 0n) throw new RangeError('negative amount');
  const whole = msat / MSAT_PER_BTC;
  let fraction = (msat % MSAT_PER_BTC).toString().padStart(FRACTION_DIGITS, '0');
  while (fraction.length > MIN_FRACTION_DIGITS && fraction.endsWith('0')) {
    fraction = fraction.slice(0, -1);
  }
  return `${whole.toString()}.${fraction}`;
}

/**
 * "0.00000036" → 36000n. Returns null for anything that is not a plain non-negative
 * decimal or that carries value below one millisatoshi (12th decimal and beyond non-zero).
 */
export function btcToMsat(text: string): bigint | null {
  const match = /^(\d+)(?:\.(\d+))?$/.exec(text);
  if (!match) return null;
  const whole = match[1] ?? '0';
  const fraction = match[2] ?? '';
  const kept = fraction.slice(0, FRACTION_DIGITS);
  if (/[^0]/.test(fraction.slice(FRACTION_DIGITS))) return null;
  return BigInt(whole) * MSAT_PER_BTC + BigInt(kept.padEnd(FRACTION_DIGITS, '0'));
}
