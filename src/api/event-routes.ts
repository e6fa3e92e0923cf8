import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { toStreamId } from '../events/ids.ts';
import { MAX_EVENTS_PAGE, type EventPage } from '../events/reader.ts';
import { invalidRequest } from '../withdrawals/errors.ts';
import { callerOf } from './auth.ts';
import { errorBody } from './errors.ts';
import { listEventsDoc } from './openapi/docs/events.ts';

const querySchema = z.object({
  after: z
    .string()
    .refine((v) => toStreamId(v) !== null, 'must be an event id (evt_...) from an earlier page or event')
    .optional(),
  limit: z.coerce.number().int().min(1).max(MAX_EVENTS_PAGE).default(100),
});

/** `GET /v1/events?after=&limit=`: the event stream, oldest first, paged by event id. */
export async function eventRoutes(
  app: FastifyInstance,
  deps: { events(afterStreamId: string | null, limit: number, owner: string | null): Promise<EventPage> },
): Promise<void> {
  app.get('/events', { config: { openapi: listEventsDoc(querySchema) } }, async (req, reply) => {
    const parsed = querySchema.safeParse(req.query);
    if (!parsed.success) return reply.code(400).send(errorBody(invalidRequest(parsed.error)));
    const after = parsed.data.after === undefined ? null : toStreamId(parsed.data.after);
    // A producer reads its own events alone; an operator reads every producer's.
    const caller = callerOf(req);
    return deps.events(after, parsed.data.limit, caller.role === 'operator' ? null : caller.name);
  });
}
