import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { clientErrorHandler, frameworkErrors, installErrorHandlers } from '../api/errors.ts';
import { requestIdOf, requestIds } from '../api/request-id.ts';
import type { Logger } from '../logger.ts';
import type { RedisClient } from '../redis.ts';
import { healthRoutes, type PrimaryOf, type ReadyCheck } from './health.ts';
import type { Metrics } from './metrics.ts';
import { measureRequests } from './http.ts';
import { metricsRoute } from './route.ts';

export interface MetricsServerDeps {
  logger: Logger;
  /** The fail-fast connection `/readyz` pings and the error handlers look at. */
  redis: RedisClient;
  metrics: Metrics;
  ready: ReadyCheck;
  /** The Redis primary `/readyz` names. */
  primary?: PrimaryOf;
}

/**
 * The operational endpoints of a process without the HTTP API (`withdrawals worker`): `/metrics`,
 * `/healthz`, `/readyz`. Every error answer, unknown paths and broken requests included, has the
 * API's error body; no request can stop it.
 */
export async function buildMetricsServer(deps: MetricsServerDeps): Promise<FastifyInstance> {
  const loggerInstance: FastifyBaseLogger = deps.logger;
  const app = Fastify({
    loggerInstance,
    // Nothing here takes a body.
    bodyLimit: 1024,
    requestTimeout: 10_000,
    frameworkErrors,
    clientErrorHandler: clientErrorHandler(deps.logger),
    requestIdHeader: false,
    genReqId: requestIdOf,
  });
  requestIds(app);
  measureRequests(app, deps.metrics.http);
  installErrorHandlers(app, deps.redis);
  await healthRoutes(app, { redis: deps.redis, ready: deps.ready, primary: deps.primary });
  await metricsRoute(app, deps.metrics);
  return app;
}
