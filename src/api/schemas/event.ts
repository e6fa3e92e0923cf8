import { z } from 'zod';
import { EVENT_TYPES } from '../../events/types.ts';
import { STATUSES } from '../../withdrawals/status.ts';
import { timestampSchema } from './common.ts';
import { batchSummarySchema } from './batch.ts';
import { withdrawalViewSchema } from './record.ts';

/** Event ids sort (as strings) in the order the events happened. */
export const eventIdSchema = z.string().regex(/^evt_[0-9a-z]{26}$/);

export const eventTypeSchema = z.enum(EVENT_TYPES);

const WITHDRAWAL_EVENT_TYPES = STATUSES.map((s) => `withdrawal.${s}` as const);

export const withdrawalEventSchema = z.strictObject({
  id: eventIdSchema,
  type: z.enum(WITHDRAWAL_EVENT_TYPES),
  timestamp: timestampSchema,
  data: withdrawalViewSchema,
});

export const batchDoneEventSchema = z.strictObject({
  id: eventIdSchema,
  type: z.literal('batch.done'),
  timestamp: timestampSchema,
  data: batchSummarySchema,
});

/** One event, as `GET /v1/events` lists it and as a webhook delivers it. */
export const eventSchema = z.discriminatedUnion('type', [withdrawalEventSchema, batchDoneEventSchema]);

export const eventPageSchema = z.strictObject({
  events: z.array(eventSchema),
  next: eventIdSchema.describe('pass it as `after` for the next page'),
});
