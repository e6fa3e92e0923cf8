import { context, propagation, SpanKind, SpanStatusCode, trace, type Span, type Tracer } from '@opentelemetry/api';
import type { FastifyInstance, FastifyRequest, RouteHandlerMethod } from 'fastify';

const spans = new WeakMap<FastifyRequest, Span>();

/**
 * A server span per request, named by method and route template (`POST /v1/withdrawals`), with the
 * status code; a `traceparent` header continues the caller's trace. No URL, query, header or body
 * goes into it. Each route's handler runs with the span active, so what it does (enqueue, jobs)
 * belongs to the request's trace. Call before any route is declared.
 */
export function traceRequests(app: FastifyInstance, tracer: Tracer): void {
  app.addHook('onRequest', async (req) => {
    // The caller's trace context only: its baggage would travel into every job's options.
    const parent = propagation.deleteBaggage(propagation.extract(context.active(), req.headers));
    spans.set(req, tracer.startSpan(req.method, { kind: SpanKind.SERVER, attributes: { 'http.request.method': req.method } }, parent));
  });
  // A body arrives through stream events, outside the hook's context: the handler enters the span itself.
  app.addHook('onRoute', (route) => {
    const handler = route.handler as RouteHandlerMethod;
    route.handler = function (this: FastifyInstance, req, reply) {
      const span = spans.get(req);
      return span ? context.with(trace.setSpan(context.active(), span), () => handler.call(this, req, reply)) : handler.call(this, req, reply);
    };
  });
  const end = (req: FastifyRequest, status: number | null) => {
    const span = spans.get(req);
    if (!span) return;
    spans.delete(req);
    const route = req.routeOptions.url;
    if (route) span.updateName(`${req.method} ${route}`).setAttribute('http.route', route);
    if (status === null) span.setStatus({ code: SpanStatusCode.ERROR, message: 'request aborted' });
    else {
      span.setAttribute('http.response.status_code', status);
      if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    }
    span.end();
  };
  app.addHook('onResponse', async (req, reply) => end(req, reply.statusCode));
  app.addHook('onRequestAbort', async (req) => end(req, null));
}
