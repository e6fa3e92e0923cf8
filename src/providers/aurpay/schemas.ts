import { z } from 'zod';
import { btcToMsat } from '../../money.ts';

/**
 * Aurpay answer shapes, validated at the boundary. Objects are not strict:
 * unknown extra fields are allowed (and kept in `raw`), missing required
 * fields fail validation and make the outcome unknown / a lookup error.
 */

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
  /** BTC decimal string; anything else is ignored (fee is informative, not settlement). */
  fee: z.unknown().optional(),
});

/** Just enough of any `data` to notice a transaction id in a refusal. */
export const maybeTxIdSchema = z.object({ tx_id: z.string().min(1) });

/** One transaction of `GET /api/v2/tx`; everything optional, matching decides what matters. */
export const txSchema = z.object({
  tx_id: z.string().nullish(),
  tx_type: z.string().nullish(),
  status: z.string().nullish(),
  fee: z.unknown().optional(),
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

/** Fee as a BTC decimal string → msat; anything unreadable is null (fees never settle anything). */
export function feeMsatFromBtc(fee: unknown): bigint | null {
  if (typeof fee !== 'string') return null;
  try {
    return btcToMsat(fee.trim());
  } catch {
    return null;
  }
}

export function isRefusal(envelope: AurpayEnvelope): boolean {
  return envelope.code !== 0 || envelope.result === false;
}

export function refusalMessage(envelope: AurpayEnvelope): string {
  const message = envelope.message?.trim();
  return message ? `${message} (code ${envelope.code})` : `refused with code ${envelope.code}`;
}
