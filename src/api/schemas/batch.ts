import { z } from 'zod';
import { countSchema, msatSchema, statusSchema } from './common.ts';
import { apiErrorSchema } from './error.ts';

export const batchRejectionSchema = z.strictObject({
  index: countSchema.describe('position of the item in the batch, from 0'),
  id: z.string().nullable().describe("the item's id, when it had one"),
  error: apiErrorSchema,
});

/** The answer of `POST /v1/batches`. */
export const batchAnswerSchema = z.strictObject({
  batchId: z.string(),
  accepted: countSchema.describe('items accepted now'),
  duplicates: countSchema.describe('items accepted before (a replayed batch): not accepted twice'),
  rejected: z.array(batchRejectionSchema),
});

/** `GET /v1/batches/:id`, and the data of a `batch.done` event. */
export const batchSummarySchema = z.strictObject({
  batchId: z.string(),
  total: countSchema,
  byStatus: z.partialRecord(statusSchema, countSchema).describe('items per status (statuses with none left out)'),
  amountMsatByStatus: z.partialRecord(statusSchema, msatSchema),
  done: z.boolean().describe('true once every item is terminal'),
});
