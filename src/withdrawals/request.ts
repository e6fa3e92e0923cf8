import { z } from 'zod';
import { PROVIDERS } from './types.ts';

/** The producer's id: the idempotency key. */
export const withdrawalIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9._:-]{1,128}$/, 'id must be 1-128 characters of A-Z a-z 0-9 . _ : -');

export const msatStringSchema = z
  .string()
  .regex(/^(0|[1-9][0-9]{0,30})$/, 'amountMsat must be a string of digits without leading zeros, e.g. "36000"');

/** The body of `POST /v1/withdrawals` (shape only; invoice, network and amount rules come after). */
export const withdrawalRequestSchema = z
  .strictObject({
    id: withdrawalIdSchema,
    provider: z.enum(PROVIDERS),
    invoice: z.string().min(1).max(7089).optional(),
    address: z.string().min(1).max(128).optional(),
    amountMsat: msatStringSchema.optional(),
    description: z.string().max(640).optional(),
    metadata: z.record(z.string(), z.unknown()).optional(),
  })
  .refine((b) => (b.invoice === undefined) !== (b.address === undefined), {
    message: 'give exactly one of invoice (BOLT11) or address (on-chain)',
    path: ['invoice'],
  });

export type WithdrawalRequest = z.infer<typeof withdrawalRequestSchema>;
