import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { PRODUCER_NAME } from '../callers.ts';
import { apiError, invalidRequest } from '../withdrawals/errors.ts';
import { listedRecord } from '../withdrawals/record-codec.ts';
import { withdrawalIdSchema } from '../withdrawals/request.ts';
import { STATUSES } from '../withdrawals/status.ts';
import { InvalidCursorError, MAX_LIST_PAGE, STATUS_SCAN_WINDOW, type ListPage, type ListQuery } from '../withdrawals/store.ts';
import { callerOf } from './auth.ts';
import { errorBody } from './errors.ts';
import { listWithdrawalsDoc } from './openapi/docs/list.ts';

export const listQuerySchema = z.strictObject({
  status: z.enum(STATUSES).optional(),
  batchId: withdrawalIdSchema.optional(),
  limit: z.coerce.number().int().min(1).max(MAX_LIST_PAGE).default(100),
  cursor: z.string().min(1).max(400).optional(),
  producer: z.string().regex(PRODUCER_NAME, 'must be a producer name (1-64 of A-Z a-z 0-9 . _ : -)').optional(),
});

/** `GET /v1/withdrawals`: a producer's own withdrawals, or (operators) everyone's or one producer's; newest first. */
export async function listRoutes(app: FastifyInstance, deps: { store: { list(q: ListQuery): Promise<ListPage> } }): Promise<void> {
  app.get('/withdrawals', { config: { openapi: listWithdrawalsDoc(listQuerySchema, STATUS_SCAN_WINDOW) } }, async (req, reply) => {
    const parsed = listQuerySchema.safeParse(req.query);
    if (!parsed.success) return reply.code(400).send(errorBody(invalidRequest(parsed.error)));
    const q = parsed.data;
    const caller = callerOf(req);
    if (caller.role !== 'operator' && q.producer !== undefined && q.producer !== caller.name) {
      return reply.code(403).send(errorBody(apiError('forbidden', "only operators (OPERATOR_TOKENS) may list another producer's withdrawals")));
    }
    const owner = caller.role === 'operator' ? (q.producer ?? null) : caller.name;
    try {
      const page = await deps.store.list({ owner, status: q.status ?? null, batchId: q.batchId ?? null, limit: q.limit, cursor: q.cursor ?? null });
      return {
        withdrawals: page.withdrawals.map(listedRecord),
        next: page.next,
      };
    } catch (err) {
      if (err instanceof InvalidCursorError) return reply.code(400).send(errorBody(apiError('invalid_request', `invalid request: cursor: ${err.message}`, [{ path: 'cursor', message: err.message }])));
      throw err;
    }
  });
}
