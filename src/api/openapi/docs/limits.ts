import { z } from 'zod';
import { errorResponse, jsonResponse, v1Responses } from '../responses.ts';
import type { RouteDoc } from '../types.ts';

const msat = z.string().regex(/^[0-9]+$/);

export const dailyBudgetSchema = z.strictObject({
  producer: z.string(),
  day: z.string().describe('the UTC day, YYYY-MM-DD'),
  amountMsat: z.strictObject({ limit: msat.nullable(), used: msat, left: msat.nullable() }).describe('null: no limit (LIMIT_DAILY_AMOUNT_MSAT unset)'),
  count: z.strictObject({ limit: z.number().int().nullable(), used: z.number().int(), left: z.number().int().nullable() }).describe('null: no limit (LIMIT_DAILY_COUNT unset)'),
});

export function dailyLimitsDoc(query: z.ZodObject): RouteDoc {
  return {
    operationId: 'getDailyLimits',
    summary: "A producer's daily limits: used and left today",
    description:
      'What the producer has accepted today (UTC), cancelled and failed withdrawals given back, against LIMIT_DAILY_AMOUNT_MSAT and ' +
      'LIMIT_DAILY_COUNT. A producer reads its own; an operator names a producer with `?producer=` (default: its own name).',
    tags: ['limits'],
    auth: 'bearer',
    query,
    paramDocs: { producer: { description: 'the producer (operators only)', example: 'shop' } },
    responses: v1Responses({
      200: jsonResponse("The producer's day.", dailyBudgetSchema, {
        today: {
          value: {
            producer: 'shop',
            day: '2026-11-21',
            amountMsat: { limit: '100000000000', used: '36000', left: '99999964000' },
            count: { limit: 1000, used: 1, left: 999 },
          },
        },
      }),
      400: errorResponse('The query is invalid.', { invalid_request: ['invalid_request', 'invalid request: producer: a producer name'] }),
      403: errorResponse("A producer asked for another producer's limits.", { forbidden: ['forbidden', 'a producer reads its own limits alone'] }),
    }),
  };
}
