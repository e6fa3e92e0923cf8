import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { batchSummary, enqueueBatch, newBatchId } from '../withdrawals/batches.ts';
import type { EnqueueDeps } from '../withdrawals/enqueue.ts';
import { apiError, invalidRequest } from '../withdrawals/errors.ts';
import { withdrawalIdSchema } from '../withdrawals/request.ts';
import { errorBody } from './errors.ts';

/** A 100,000-row batch of full invoices fits well within this. */
export const BATCH_BODY_LIMIT = 128 * 1024 * 1024;

export const batchBodySchema = z.strictObject({
  id: withdrawalIdSchema.optional(),
  items: z.array(z.unknown()).min(1, 'a batch needs at least one item').max(100_000),
});

/** `POST /v1/batches` (JSON) and `GET /v1/batches/:id`. Registered inside the authenticated scope. */
export async function batchRoutes(app: FastifyInstance, deps: EnqueueDeps): Promise<void> {
  app.post('/batches', { bodyLimit: BATCH_BODY_LIMIT }, async (req, reply) => {
    const parsed = batchBodySchema.safeParse(req.body);
    if (!parsed.success) return reply.code(400).send(errorBody(invalidRequest(parsed.error)));
    const batchId = parsed.data.id ?? newBatchId();
    const answer = await enqueueBatch(deps, batchId, parsed.data.items);
    return reply.code(202).send(answer);
  });

  app.get<{ Params: { id: string } }>('/batches/:id', async (req, reply) => {
    const summary = await batchSummary(deps.store.redis, deps.store.keys, req.params.id);
    if (!summary) return reply.code(404).send(errorBody(apiError('not_found', `no batch ${req.params.id}`)));
    return summary;
  });
}
