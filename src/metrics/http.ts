/**
 * HTTP request counts and latency by route template and status class. Every label is bounded: the
 * route is the template a request matched (`/v1/withdrawals/:id`, never its id), `unmatched` for any
 * path no route has (404s, and requests refused before routing); methods outside the standard few
 * are `other`; statuses are counted by class (`2xx` ... `5xx`).
 */
import type { FastifyInstance } from 'fastify';
import { Counter, Histogram, type Registry } from 'prom-client';

/** The route label of a request no route matched: one series, whatever paths are tried. */
export const UNMATCHED_ROUTE = 'unmatched';

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
/** From a health probe's microseconds to a large batch's seconds. */
const LATENCY_BUCKETS_S = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

export interface HttpMetrics {
  /** A route was declared: its 5xx series exist from then on (0), so error shares read 0, not nothing. */
  route(method: string, route: string): void;
  /** One answered request. */
  observe(method: string, route: string | undefined, statusCode: number, seconds: number): void;
}

/** `2xx` for 200-299 and so on; anything outside 100-599 is `other`. */
export function statusClass(code: number): string {
  return code >= 100 && code < 600 ? `${Math.floor(code / 100)}xx` : 'other';
}

function methodLabel(method: string): string {
  return METHODS.has(method) ? method : 'other';
}

export function createHttpMetrics(registers: Registry[]): HttpMetrics {
  const requests = new Counter({
    name: 'withdrawals_http_requests_total',
    help: 'HTTP requests this process answered, by method, route template (unmatched: no route) and status class.',
    labelNames: ['method', 'route', 'status_class'] as const,
    registers,
  });
  const duration = new Histogram({
    name: 'withdrawals_http_request_duration_seconds',
    help: 'Time from a request arriving to its answer being sent, by method, route template and status class.',
    labelNames: ['method', 'route', 'status_class'] as const,
    buckets: LATENCY_BUCKETS_S,
    registers,
  });
  return {
    route(method, route) {
      requests.inc({ method: methodLabel(method), route, status_class: '5xx' }, 0);
    },
    observe(method, route, statusCode, seconds) {
      const labels = { method: methodLabel(method), route: route ?? UNMATCHED_ROUTE, status_class: statusClass(statusCode) };
      requests.inc(labels);
      duration.observe(labels, seconds);
    },
  };
}

/** Counts every answer of `app` (call before any route is declared: the 404s of unknown paths included). */
export function measureRequests(app: FastifyInstance, http: HttpMetrics): void {
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) http.route(method, route.url);
  });
  app.addHook('onResponse', (req, reply, done) => {
    http.observe(req.method, req.routeOptions.url, reply.statusCode, reply.elapsedTime / 1000);
    done();
  });
}
