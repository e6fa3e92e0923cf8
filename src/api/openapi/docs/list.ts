import type { z } from 'zod';
import { withdrawalPageSchema } from '../../schemas/index.ts';
import * as ex from '../examples.ts';
import { errorResponse, jsonResponse, v1Responses } from '../responses.ts';
import type { RouteDoc } from '../types.ts';

/** `GET /v1/withdrawals`, documented from the query schema the route validates with. */
export function listWithdrawalsDoc(query: z.ZodObject, scanWindow: number): RouteDoc {
  return {
    operationId: 'listWithdrawals',
    summary: 'List withdrawals, newest first',
    description:
      "A producer lists its own withdrawals; an operator everyone's, or one producer's with `producer`. Newest first (by creation), " +
      'without histories; pass `next` as `cursor`, with the same filters, to read on. With `status`, a page examines at most ' +
      `${scanWindow} withdrawals (newest first from the cursor) and answers those in that status: it may hold fewer than \`limit\`, ` +
      'even none, and `next` is null only when nothing is left to examine.',
    tags: ['withdrawals'],
    auth: 'bearer',
    query,
    paramDocs: {
      status: { description: 'only withdrawals now in this status', example: 'succeeded' },
      batchId: { description: 'only the withdrawals of this batch', example: 'batch-2026-11-21' },
      limit: { description: 'at most this many withdrawals (1-1000)', example: 100 },
      cursor: { description: '`next` of the page before', example: ex.withdrawalPage.next },
      producer: { description: "operators only: this producer's withdrawals alone", example: 'shop' },
    },
    responses: v1Responses({
      200: jsonResponse('A page of withdrawals.', withdrawalPageSchema, { page: { value: ex.withdrawalPage } }),
      400: errorResponse('A query parameter is invalid.', {
        invalid_request: ['invalid_request', 'invalid request: cursor: not a cursor of this listing: pass "next" of the page before as given'],
      }),
      403: errorResponse("The token is a producer's: only operators list another producer's withdrawals.", {
        forbidden: ['forbidden', "only operators (OPERATOR_TOKENS) may list another producer's withdrawals"],
      }),
    }),
  };
}
