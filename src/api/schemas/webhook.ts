import { z } from 'zod';
import { timestampSchema } from './common.ts';
import { eventIdSchema, eventTypeSchema } from './event.ts';

/** A webhook endpoint as the API shows it: never its secret. */
export const webhookEndpointSchema = z.strictObject({
  id: z.string(),
  url: z.string(),
  events: z.array(eventTypeSchema).describe('the subscribed event types (all of them when none were given)'),
  owner: z
    .string()
    .nullable()
    .describe(
      "who registered it: a producer's endpoint receives that producer's events only, an operator's every producer's; " +
        'null for the WEBHOOK_URL endpoint, which belongs to the operators and receives every event',
    ),
  createdAt: timestampSchema,
  source: z.enum(['api', 'config']).describe('`config` endpoints come from WEBHOOK_URL and cannot be removed through the API'),
});

/** The answer of `POST /v1/webhooks`: the only time the secret is shown. */
export const createdWebhookSchema = z.strictObject({
  ...webhookEndpointSchema.shape,
  secret: z.string().regex(/^whsec_/).describe('Standard Webhooks signing secret; shown this once'),
});

export const webhookListSchema = z.strictObject({ webhooks: z.array(webhookEndpointSchema) });

export const replayAnswerSchema = z.strictObject({
  replayId: z.string(),
  endpointId: z.string(),
  replayed: z.number().int().nonnegative(),
  next: eventIdSchema.nullable().describe('set when the range held more than one request replays: pass it as `after` to go on'),
});
