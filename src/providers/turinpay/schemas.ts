import { z } from 'zod';
import { bitcoinAmountOrNull, satsDecimalToMsat } from '../../money.ts';

/**
 * TurinPay answer shapes (providers.md §2.0, §2.2). Success answers are the
 * invoice-shaped withdrawal object, bare or wrapped in `{ data: ... }`;
 * errors are `{ success: false, message }`. Objects are not strict: extra
 * fields are allowed and kept in `raw`. Every amount the answer reports is
 * absent or exact whole msat within the bitcoin supply: any other value makes
 * the whole answer unreadable, so no amount past 21 million BTC reaches a script.
 */

const MTOKENS = /^[0-9]{1,25}$/;

/** msat as a digit string (`ln.mtokens`), within the bitcoin supply; null when it is not one. */
function readMtokens(value: string): bigint | null {
  if (!MTOKENS.test(value)) return null;
  return bitcoinAmountOrNull(() => BigInt(value));
}

/** Sats (a number or a decimal string) → msat within the bitcoin supply; null when it is not one. */
function readSats(value: unknown): bigint | null {
  if (typeof value !== 'number' && typeof value !== 'string') return null;
  return bitcoinAmountOrNull(() => satsDecimalToMsat(value));
}

const reportedSats = z
  .unknown()
  .optional()
  .refine((v) => v === undefined || v === null || readSats(v) !== null, 'not a sats amount of at most 21 million BTC');

const lnSchema = z.object({
  /** The payment hash in the published example (ln-service invoice shape). */
  id: z.string().nullish(),
  request: z.string().nullish(),
  mtokens: z
    .string()
    .nullish()
    .refine((v) => v === undefined || v === null || readMtokens(v) !== null, 'not an msat amount of at most 21 million BTC'),
});

export const withdrawalSchema = z.object({
  invoiceId: z.string().nullish(),
  id: z.string().nullish(),
  status: z.string().nullish(),
  /** Sats (number or decimal string), per the example `fees: 1`. */
  fees: reportedSats,
  /** Sats moved (the example's `amount: 36`); `ln.mtokens` says it in msat for Lightning. */
  amount: reportedSats,
  ln: lnSchema.nullish(),
  network: z.string().nullish(),
});
export type TurinpayWithdrawal = z.infer<typeof withdrawalSchema>;

export const errorEnvelopeSchema = z.object({
  success: z.literal(false),
  message: z.string().nullish(),
});

/** Top-level keys that mark a bare withdrawal object (as opposed to `{ data: {...} }`). */
const WITHDRAWAL_KEYS = ['invoiceId', 'id', 'status', 'ln'];
const wrappedSchema = z.object({ data: z.record(z.string(), z.unknown()) });

/** The withdrawal object of an answer, bare or wrapped; null when it is neither or reports an unreadable amount. */
export function readWithdrawal(value: unknown): TurinpayWithdrawal | null {
  const isBare = typeof value === 'object' && value !== null && WITHDRAWAL_KEYS.some((key) => key in value);
  const wrapped = isBare ? null : wrappedSchema.safeParse(value);
  const candidate = wrapped?.success ? wrapped.data.data : value;
  const parsed = withdrawalSchema.safeParse(candidate);
  return parsed.success ? parsed.data : null;
}

/** invoiceId ?? ln.id ?? id: the reference a later lookup uses. */
export function withdrawalRef(w: TurinpayWithdrawal): string | null {
  return nonEmpty(w.invoiceId) ?? nonEmpty(w.ln?.id) ?? nonEmpty(w.id);
}

/** Fees in sats → msat; null when the answer gives none. */
export function feeMsatFromSats(fees: unknown): bigint | null {
  return readSats(fees);
}

/** The amount moved, in msat: `ln.mtokens` when given, else `amount` in sats; null when neither is given. */
export function movedMsat(w: TurinpayWithdrawal): bigint | null {
  const mtokens = w.ln?.mtokens;
  if (typeof mtokens === 'string') return readMtokens(mtokens);
  return readSats(w.amount);
}

export function errorMessage(envelope: z.infer<typeof errorEnvelopeSchema>, status: number): string {
  const message = envelope.message?.trim();
  return message ? `${message} (HTTP ${status})` : `refused with HTTP ${status}`;
}

function nonEmpty(value: string | null | undefined): string | null {
  return typeof value === 'string' && value.length > 0 ? value : null;
}
