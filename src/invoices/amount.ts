/**
 * The amount in an invoice's human-readable part: a decimal number of *bitcoin*
 * followed by an optional multiplier, converted exactly to msat (bigint).
 */
import { BITCOIN_SUPPLY_MSAT, MSAT_PER_BTC } from '../money.ts';
import { InvoiceError } from './errors.ts';

/** Largest first, so the encoder picks the shortest exact form (BOLT11 "SHOULD"). */
const MULTIPLIERS = [
  ['m', 100_000_000n],
  ['u', 100_000n],
  ['n', 100n],
] as const;

/** An invoice amount above 21 million BTC cannot be a real payment and hints at a parsing attack. */
export const MAX_AMOUNT_MSAT = BITCOIN_SUPPLY_MSAT;

/** msat → BOLT11 amount text (`2500u`, `20m`, `9678785340p`). */
export function encodeAmount(amountMsat: bigint): string {
  if (amountMsat < 0n) throw new InvoiceError('invoice amount cannot be negative');
  if (amountMsat % MSAT_PER_BTC === 0n) return (amountMsat / MSAT_PER_BTC).toString();
  for (const [letter, msat] of MULTIPLIERS) {
    if (amountMsat % msat === 0n) return `${amountMsat / msat}${letter}`;
  }
  // 1 pico-bitcoin is a tenth of a msat, so every msat amount is a whole number of `p`.
  return `${amountMsat * 10n}p`;
}

/**
 * BOLT11 amount text → msat; empty text means "no amount" (null). Leading zeros
 * are tolerated: writers must not use them, but the reader rules do not fail them.
 */
export function parseAmount(text: string): bigint | null {
  if (text === '') return null;
  const match = /^([0-9]+)([munp]?)$/.exec(text);
  if (match === null) {
    const hint = /^[0-9]+[a-z]$/.test(text)
      ? `"${text.slice(-1)}" is not a multiplier (m, u, n or p)`
      : 'expected digits followed by an optional multiplier m, u, n or p';
    throw new InvoiceError(`invoice amount "${text}" is malformed: ${hint}`);
  }
  const digits = BigInt(match[1] ?? '');
  const letter = match[2] ?? '';
  let msat: bigint;
  if (letter === '') msat = digits * MSAT_PER_BTC;
  else if (letter === 'p') {
    // Sub-msat amounts cannot be paid: HTLCs are denominated in msat.
    if (digits % 10n !== 0n) {
      throw new InvoiceError(`invoice amount "${text}" has sub-millisatoshi precision (a p amount must end in 0)`);
    }
    msat = digits / 10n;
  } else {
    const per = MULTIPLIERS.find(([l]) => l === letter);
    if (per === undefined) throw new InvoiceError(`invoice amount "${text}" has an unknown multiplier`);
    msat = digits * per[1];
  }
  if (msat > MAX_AMOUNT_MSAT) throw new InvoiceError(`invoice amount "${text}" is more than 21 million bitcoin`);
  return msat;
}
