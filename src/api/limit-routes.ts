import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { PRODUCER_NAME } from '../callers.ts';
import type { EnqueueDeps } from '../withdrawals/enqueue.ts';
import { apiError, invalidRequest } from '../withdrawals/errors.ts';
import { callerOf } from './auth.ts';
import { errorBody } from './errors.ts';
import { dailyLimitsDoc } from './openapi/docs/limits.ts';
import { dailyBudgetView } from '../withdrawals/daily-budget.ts';

const querySchema = z.strictObject({
  producer: z.string().regex(PRODUCER_NAME, 'a producer name: 1-64 characters of A-Z a-z 0-9 . _ : -').optional(),
});

/**
 * `GET /v1/limits`: what a producer has accepted today (UTC) against its daily limits, and what is
 * left. A producer sees its own; an operator names any producer with `?producer=`.
 */
export async function limitRoutes(app: FastifyInstance, deps: EnqueueDeps): Promise<void> {
  app.get('/limits', { config: { openapi: dailyLimitsDoc(querySchema) } }, async (req, reply) => {
    const parsed = querySchema.safeParse(req.query);
    if (!parsed.success) return reply.code(400).send(errorBody(invalidRequest(parsed.error)));
    const caller = callerOf(req);
    const producer = parsed.data.producer ?? caller.name;
    if (producer !== caller.name && caller.role !== 'operator') {
      return reply.code(403).send(errorBody(apiError('forbidden', "a producer reads its own limits alone; leave out ?producer=")));
    }
    const used = await deps.store.dailyUsage(producer);
    return dailyBudgetView(producer, used, deps.policy?.daily ?? { amountMsat: null, count: null });
  });
}
