import { z } from 'zod';
import { msatSchema, providerSchema, statusSchema, timestampSchema } from './common.ts';

export const failureSchema = z.strictObject({
  code: z
    .string()
    .describe(
      'e.g. provider_rejected, provider_failed, outcome_unknown, worker_lost, reconciliation_exhausted; for a Lightning Address resolved before any provider call: lnurl_unreachable, lnurl_refused, lnurl_invalid, lnurl_forbidden',
    ),
  message: z.string(),
  provider: z.unknown().optional().describe("the provider's raw answer or other evidence, as JSON"),
});

export const historyEntrySchema = z.strictObject({
  status: statusSchema,
  at: timestampSchema,
  cause: z.string().optional().describe('why the change happened (provider outcome, sweep, operator action...)'),
  actor: z.string().optional().describe('the API token name of the operator, for operator actions'),
  note: z.string().optional().describe("the operator's note"),
});

const recordFields = {
  id: z.string(),
  owner: z.string().describe('the producer that created it (the name of its token)'),
  provider: providerSchema,
  status: statusSchema,
  invoice: z.string().nullable().describe('the BOLT11 invoice paid; for a Lightning Address, null until the worker resolved it'),
  lightningAddress: z.string().nullable().describe('the Lightning Address (name@domain) or LNURL-pay string (lnurl1...) paid, or null'),
  address: z.string().nullable(),
  paymentHash: z.string().nullable(),
  amountMsat: msatSchema.nullable(),
  feeMsat: msatSchema.nullable(),
  providerRef: z.string().nullable(),
  attempts: z.number().int().nonnegative(),
  batchId: z.string().nullable(),
  failure: failureSchema.nullable(),
  description: z.string().nullable(),
  metadata: z.record(z.string(), z.unknown()).nullable(),
  createdAt: timestampSchema,
  updatedAt: timestampSchema,
};

/** A withdrawal as events and webhooks carry it: the record without its history. */
export const withdrawalViewSchema = z.strictObject(recordFields);

/** A withdrawal as `GET /v1/withdrawals/:id` returns it. */
export const withdrawalRecordSchema = z.strictObject({ ...recordFields, history: z.array(historyEntrySchema) });

/** A page of `GET /v1/withdrawals`: newest first, without histories. */
export const withdrawalPageSchema = z.strictObject({
  withdrawals: z.array(withdrawalViewSchema),
  next: z.string().nullable().describe('pass it as `cursor` (with the same filters) for the next page; null: none'),
});
