import { z } from 'zod';
import { bitcoinAmountOrNull, btcToMsat } from '../../money.ts';

/**
 * Aurpay answer shapes, validated at the boundary. Objects are not strict:
 * unknown extra fields are allowed (and kept in `raw`), missing required
 * fields fail validation and make the outcome unknown / a lookup error. A fee
 * is absent or a BTC decimal string of whole msat within the bitcoin supply:
 * any other value fails validation too, so no fee past 21 million BTC reaches a script.
 */

/** A BTC decimal string → msat within the bitcoin supply; null when it is not one. */
function readBtc(value: unknown): bigint | null {
  if (typeof value !== 'string') return null;
  return bitcoinAmountOrNull(() => btcToMsat(value.trim()));
}

const reportedFee = z
  .unknown()
  .optional()
  .refine((v) => v === undefined || v === null || readBtc(v) !== null, 'not a BTC amount in whole msat of at most 21 million BTC');

/** `{ code, message, data, result }` — every Aurpay answer (providers.md §1.0). */
export const envelopeSchema = z.object({
  code: z.number().int(),
  message: z.string().nullish(),
  data: z.unknown().optional(),
  result: z.boolean().nullish(),
});
export type AurpayEnvelope = z.infer<typeof envelopeSchema>;

/** `data` of a BLN withdraw answer; only `tx_id` is required to call it accepted. */
export const withdrawDataSchema = z.object({
  tx_id: z.string().min(1),
  status: z.string().nullish(),
  /** BTC decimal string (fee is informative, not settlement). */
  fee: reportedFee,
});

/** Just enough of any `data` to notice a transaction id in a refusal. */
export const maybeTxIdSchema = z.object({ tx_id: z.string().min(1) });

/** One transaction of `GET /api/v2/tx`; everything optional, matching decides what matters. */
export const txSchema = z.object({
  tx_id: z.string().nullish(),
  tx_type: z.string().nullish(),
  status: z.string().nullish(),
  fee: reportedFee,
  tx_hash: z.string().nullish(),
  to_addr: z.string().nullish(),
});
export type AurpayTx = z.infer<typeof txSchema>;

/** `data` of `GET /api/v2/tx` (providers.md §1.5). */
export const txPageSchema = z.object({
  page: z.number().int().nullish(),
  size: z.number().int().nullish(),
  total: z.number().int().nullish(),
  max_page: z.number().int().nonnegative().nullish(),
  /** Items are validated one by one (txSchema), so one odd item is noticed, not fatal. */
  data: z.array(z.unknown()),
});
export type AurpayTxPage = z.infer<typeof txPageSchema>;

/** Fee as a BTC decimal string → msat; null when the answer gives none. */
export function feeMsatFromBtc(fee: unknown): bigint | null {
  return readBtc(fee);
}

export function isRefusal(envelope: AurpayEnvelope): boolean {
  return envelope.code !== 0 || envelope.result === false;
}

export function refusalMessage(envelope: AurpayEnvelope): string {
  const message = envelope.message?.trim();
  return message ? `${message} (code ${envelope.code})` : `refused with code ${envelope.code}`;
}
