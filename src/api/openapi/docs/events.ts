import type { z } from 'zod';
import { eventPageSchema } from '../../schemas/index.ts';
import * as ex from '../examples.ts';
import { errorResponse, jsonResponse, v1Responses } from '../responses.ts';
import type { RouteDoc } from '../types.ts';

/** `GET /v1/events`, documented from the query schema the route validates with. */
export function listEventsDoc(query: z.ZodObject): RouteDoc {
  return {
    operationId: 'listEvents',
    summary: 'Read the event stream',
    description:
      'Every status change of a withdrawal (`withdrawal.<status>`) and every batch reaching done (`batch.done`), written in the same ' +
      'atomic step as the change. Oldest first; pass `next` as `after` to read on. Event ids sort in the order the events happened.',
    tags: ['events'],
    auth: 'bearer',
    query,
    paramDocs: {
      after: { description: 'an event id (evt_...) from an earlier page or event; absent: from the oldest kept', example: ex.EVENT_ID },
      limit: { description: 'at most this many events', example: 100 },
    },
    responses: v1Responses({
      200: jsonResponse('A page of events.', eventPageSchema, { page: { value: ex.eventPage } }),
      400: errorResponse('`after` or `limit` is invalid.', { invalid_request: ['invalid_request', 'invalid request: after: must be an event id (evt_...) from an earlier page or event'] }),
    }),
  };
}
