/**
 * Money is millisatoshi as `bigint`, everywhere. These helpers convert the
 * wire forms (BTC decimal strings, sat integers, msat digit strings) exactly,
 * never through `number` arithmetic, and refuse anything they cannot represent.
 *
 * 1 BTC = 100_000_000 sat = 100_000_000_000 msat (11 decimal places).
 */

export const MSAT_PER_SAT = 1000n;
export const MSAT_PER_BTC = 100_000_000_000n;
/** 21 million BTC, every bitcoin there will ever be: no real amount is larger. */
export const BITCOIN_SUPPLY_MSAT = 21_000_000n * MSAT_PER_BTC;
const BTC_DECIMALS = 11;
const BTC_MIN_DECIMALS = 8;

/** Plain decimal: digits, optional fraction; no sign, exponent, spaces or leading zeros. */
const BTC_DECIMAL = /^(0|[1-9][0-9]*)(?:\.([0-9]+))?$/;
const UNSIGNED_INTEGER = /^(0|[1-9][0-9]*)$/;

export class MoneyError extends Error {
  override readonly name = 'MoneyError';
}

/** Quote a refused input for an error message, bounded so garbage cannot flood logs. */
function quote(value: unknown): string {
  const text =
    typeof value === 'string' ? JSON.stringify(value) : typeof value === 'bigint' ? `${value}n` : String(value);
  return text.length > 64 ? `${text.slice(0, 64)}…` : text;
}

/** "0.00017293" → 17293000n. Refuses more than 11 decimals, negatives, exponents and garbage. */
export function btcToMsat(decimal: string): bigint {
  if (typeof decimal !== 'string') {
    throw new MoneyError(`BTC amount must be a decimal string, got ${quote(decimal)}`);
  }
  const match = BTC_DECIMAL.exec(decimal);
  if (match === null) {
    throw new MoneyError(`not a plain non-negative BTC decimal: ${quote(decimal)}`);
  }
  const whole = match[1] ?? '0';
  const fraction = match[2] ?? '';
  if (fraction.length > BTC_DECIMALS) {
    throw new MoneyError(`BTC amount ${quote(decimal)} has more than ${BTC_DECIMALS} decimals (finer than 1 msat)`);
  }
  return BigInt(whole) * MSAT_PER_BTC + BigInt(fraction.padEnd(BTC_DECIMALS, '0'));
}

/** 17293000n → "0.00017293"; at least 8 decimals, up to 11, no trailing zeros beyond the 8th. */
export function msatToBtc(msat: bigint): string {
  assertNonNegativeBigint(msat);
  const whole = msat / MSAT_PER_BTC;
  const digits = (msat % MSAT_PER_BTC).toString().padStart(BTC_DECIMALS, '0');
  let end = BTC_DECIMALS;
  while (end > BTC_MIN_DECIMALS && digits[end - 1] === '0') end -= 1;
  return `${whole}.${digits.slice(0, end)}`;
}

/** Whole satoshis (number, digit string or bigint) → msat. Refuses fractions and unsafe numbers. */
export function satsToMsat(sats: number | string | bigint): bigint {
  if (typeof sats === 'bigint') {
    assertNonNegativeBigint(sats);
    return sats * MSAT_PER_SAT;
  }
  if (typeof sats === 'number') {
    if (!Number.isSafeInteger(sats) || sats < 0) {
      throw new MoneyError(`sats must be a non-negative safe integer, got ${quote(sats)}`);
    }
    return BigInt(sats) * MSAT_PER_SAT;
  }
  if (typeof sats === 'string' && UNSIGNED_INTEGER.test(sats)) {
    return BigInt(sats) * MSAT_PER_SAT;
  }
  throw new MoneyError(`sats must be a string of digits, got ${quote(sats)}`);
}

/** Sats with at most 3 decimals (one place per msat): "36", "0.5", 36, 1.5. */
const SATS_DECIMAL = /^(0|[1-9][0-9]*)(?:\.([0-9]{1,3}))?$/;
/** Below this, a JSON number's shortest text has its exact digits (15 significant ones, 3 after the point). */
const EXACT_FRACTIONAL_SATS = 1e12;

/**
 * Sats as a provider reports them (a JSON number or a decimal string) → msat, exactly. Refuses
 * negatives, exponents, anything finer than 1 msat and numbers too large to carry their fraction exactly.
 */
export function satsDecimalToMsat(sats: number | string): bigint {
  if (typeof sats === 'number' && Number.isSafeInteger(sats) && sats >= 0) return BigInt(sats) * MSAT_PER_SAT;
  const exactText = typeof sats === 'string' || (Number.isFinite(sats) && sats >= 0 && sats < EXACT_FRACTIONAL_SATS);
  const match = exactText ? SATS_DECIMAL.exec(String(sats)) : null;
  if (match === null) throw new MoneyError(`not a sats amount in whole msat: ${quote(sats)}`);
  return BigInt(match[1] ?? '0') * MSAT_PER_SAT + BigInt((match[2] ?? '').padEnd(3, '0'));
}

/** An amount no larger than every bitcoin there will ever be; refuses negatives and larger ones. */
export function assertBitcoinAmount(msat: bigint): bigint {
  assertNonNegativeBigint(msat);
  if (msat > BITCOIN_SUPPLY_MSAT) throw new MoneyError(`${msat} msat is more than 21 million BTC`);
  return msat;
}

/** What `read` converts, when it is an amount within the bitcoin supply; null when it throws or is not (a provider's reported amount). */
export function bitcoinAmountOrNull(read: () => bigint): bigint | null {
  try {
    return assertBitcoinAmount(read());
  } catch {
    return null;
  }
}

/** msat → whole satoshis; refuses amounts with sub-satoshi precision. */
export function msatToSats(msat: bigint): bigint {
  assertNonNegativeBigint(msat);
  if (msat % MSAT_PER_SAT !== 0n) {
    throw new MoneyError(`${msat} msat is not a whole number of satoshis`);
  }
  return msat / MSAT_PER_SAT;
}

/** "36000" → 36000n. Digits only, no sign, no leading zeros (the wire form of amountMsat). */
export function parseMsat(s: string): bigint {
  if (typeof s !== 'string' || !UNSIGNED_INTEGER.test(s)) {
    throw new MoneyError(`not an msat amount (digits, no leading zeros): ${quote(s)}`);
  }
  return BigInt(s);
}

function assertNonNegativeBigint(value: bigint): void {
  if (typeof value !== 'bigint' || value < 0n) {
    throw new MoneyError(`amount must be a non-negative bigint, got ${quote(value)}`);
  }
}
