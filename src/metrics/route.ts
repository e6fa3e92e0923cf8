import type { FastifyInstance } from 'fastify';
import type { Metrics } from './metrics.ts';

/** `GET /metrics`, unauthenticated like most Prometheus targets: counts and batch ids, never secrets. */
export async function metricsRoute(app: FastifyInstance, metrics: Metrics): Promise<void> {
  // Scraped every few seconds: its request lines would drown the log, so only warnings and errors.
  app.get('/metrics', { logLevel: 'warn' }, async (_req, reply) => {
    const body = await metrics.render();
    return reply.header('content-type', metrics.contentType).header('cache-control', 'no-store').send(body);
  });
}
