import { z } from 'zod';
import { MAX_LIGHTNING_ADDRESS_CHARS } from '../lnurl/destination.ts';
import { metadataSchema } from './metadata.ts';
import { BUILTIN_PROVIDER_NAMES } from '../providers/index.ts';

/** The producer's id: the idempotency key. */
export const withdrawalIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9._:-]{1,128}$/, 'id must be 1-128 characters of A-Z a-z 0-9 . _ : -');

/**
 * Digits without leading zeros, at most 2,100,000,000,000,000,000 (21 million BTC): up to 18 digits,
 * or 19 starting with 1 or 20, or the ceiling itself. One pattern, so the OpenAPI document states the
 * ceiling exactly as the server checks it.
 */
export const msatStringSchema = z
  .string()
  .regex(
    /^(0|[1-9][0-9]{0,17}|1[0-9]{18}|20[0-9]{17}|2100000000000000000)$/,
    'amountMsat must be a string of digits without leading zeros, e.g. "36000", at most 2100000000000000000 (21 million BTC)',
  );

/**
 * The body of `POST /v1/withdrawals` (shape only; invoice, network and amount rules come after), for
 * these providers: `provider` is one of their names or `auto`.
 */
function requestSchemaFor(providers: readonly string[]) {
  return z
    .strictObject({
      id: withdrawalIdSchema,
      provider: z.enum([...providers, 'auto']),
      invoice: z.string().min(1).max(7089).optional(),
      address: z.string().min(1).max(128).optional(),
      lightningAddress: z.string().min(1).max(MAX_LIGHTNING_ADDRESS_CHARS).optional(),
      amountMsat: msatStringSchema.optional(),
      description: z.string().max(640).optional(),
      metadata: metadataSchema.optional(),
    })
    .refine((b) => [b.invoice, b.address, b.lightningAddress].filter((v) => v !== undefined).length === 1, {
      message: 'give exactly one of invoice (BOLT11), lightningAddress (name@domain or lnurl1...) or address (on-chain)',
      path: ['invoice'],
    });
}

/** The request schema of the built-in providers (the library's export; the OpenAPI document's component). */
export const withdrawalRequestSchema = requestSchemaFor(BUILTIN_PROVIDER_NAMES);

const schemas = new Map<string, ReturnType<typeof requestSchemaFor>>([[BUILTIN_PROVIDER_NAMES.join(','), withdrawalRequestSchema]]);

/** The request schema of a runtime's providers (built once per list of names). */
export function withdrawalRequestSchemaFor(providers: readonly string[]): ReturnType<typeof requestSchemaFor> {
  const key = providers.join(',');
  let schema = schemas.get(key);
  if (!schema) {
    schema = requestSchemaFor(providers);
    schemas.set(key, schema);
  }
  return schema;
}

export type WithdrawalRequest = z.infer<typeof withdrawalRequestSchema>;
