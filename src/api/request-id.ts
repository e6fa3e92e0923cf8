/**
 * `x-request-id` on every answer (interface.md): the caller's own when it is well formed, else a
 * fresh one; it is the request's id in Fastify (`req.id`), so every log line of the request carries
 * it as `reqId`, those written through other loggers while the request runs included (log-context.ts).
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance, RouteHandlerMethod } from 'fastify';
import { inRequestContext } from '../log-context.ts';

export const REQUEST_ID_HEADER = 'x-request-id';

/** A caller's id we repeat: 1-128 characters of A-Z a-z 0-9 and `. _ : - + = /` (UUIDs, ULIDs, base64, trace ids). */
export const WELL_FORMED_REQUEST_ID = /^[A-Za-z0-9._:+=/-]{1,128}$/;

/** Fastify's `genReqId`: the caller's `x-request-id` when well formed (one header, no list), else a fresh UUID. */
export function requestIdOf(req: Pick<IncomingMessage, 'headers'>): string {
  const given = req.headers[REQUEST_ID_HEADER];
  return typeof given === 'string' && WELL_FORMED_REQUEST_ID.test(given) ? given : randomUUID();
}

/**
 * Puts the request's id on its answer from the first hook on (whatever answers: a route, a hook, the
 * error or not-found handler), and runs hooks and handler in its log context. Call before any route
 * is declared.
 */
export function requestIds(app: FastifyInstance): void {
  app.addHook('onRequest', (req, reply, done) => {
    void reply.header(REQUEST_ID_HEADER, req.id);
    inRequestContext({ reqId: req.id }, done);
  });
  // A body arrives through stream events, outside the hook's context: the handler enters it again.
  app.addHook('onRoute', (route) => {
    const handler = route.handler as RouteHandlerMethod;
    route.handler = function (this: FastifyInstance, req, reply) {
      return inRequestContext({ reqId: req.id }, () => handler.call(this, req, reply));
    };
  });
}
