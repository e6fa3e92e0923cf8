import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { ApiToken } from '../config.ts';
import type { Logger } from '../logger.ts';
import { enqueueWithdrawal, type EnqueueDeps } from '../withdrawals/enqueue.ts';
import { apiError } from '../withdrawals/errors.ts';
import { approveWithdrawal, cancelWithdrawal, noWithdrawal, resolveWithdrawal } from '../withdrawals/operator.ts';
import { mayAccess } from '../callers.ts';
import { publicRecord } from '../withdrawals/record-codec.ts';
import { callerOf } from './auth.ts';
import { v1Guard } from './guard.ts';
import type { RateLimiter } from './rate-limit.ts';
import { batchRoutes } from './batch-routes.ts';
import { limitRoutes } from './limit-routes.ts';
import { listRoutes } from './list-routes.ts';
import { eventRoutes } from './event-routes.ts';
import { webhookRoutes } from './webhook-routes.ts';
import type { WebhookApi } from '../webhooks/service.ts';
import { answerUnavailableWhileClosing, clientErrorHandler, errorBody, frameworkErrors, installErrorHandlers } from './errors.ts';
import { collectRoutes, openapiRoutes } from './openapi/index.ts';
import { healthRoutes, type PrimaryOf, type ReadyCheck } from '../metrics/health.ts';
import { healthzDoc, readyzDoc } from './openapi/docs/operations.ts';
import { traceRequests } from '../telemetry/http-server.ts';
import { requestIdOf, requestIds } from './request-id.ts';
import { measureRequests, type HttpMetrics } from '../metrics/http.ts';
import { approveWithdrawalDoc, cancelWithdrawalDoc, createWithdrawalDoc, getWithdrawalDoc, resolveWithdrawalDoc } from './openapi/docs/withdrawals.ts';

type WithId = { Params: { id: string } };

export interface ApiDeps extends EnqueueDeps {
  tokens: readonly ApiToken[];
  logger: Logger;
  /** Extra readiness checks (workers running...); Redis is always checked. */
  ready?: ReadyCheck;
  /** The Redis primary `/readyz` names. */
  primary?: PrimaryOf;
  bodyLimit?: number;
  /** Milliseconds a client has to send a whole request (REQUEST_TIMEOUT_MS); a trickling body is cut off. @defaultValue 60000 */
  requestTimeoutMs?: number;
  /** Mounts more routes (dashboard, metrics, batches) on the same server. */
  extend?(app: FastifyInstance): Promise<void>;
  /** Webhook endpoints and replay; without it the /v1/webhooks routes are not mounted. */
  webhooks?: WebhookApi;
  /** Requests per second per token and failed authentications per source (fleet-wide, in Redis); without it, none. */
  limiter?: RateLimiter;
  /** API_MAX_CONCURRENT_PER_TOKEN. @defaultValue unbounded */
  maxConcurrentPerToken?: number;
  /** API_MAX_CONNECTIONS: connections past it are closed as they arrive. @defaultValue unbounded */
  maxConnections?: number;
  /** Counts and times every answer by route template and status class; without it, none. */
  httpMetrics?: HttpMetrics;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The token's name: recorded as the actor of what the request does. */
    actor: string;
  }
}

export async function buildApi(deps: ApiDeps): Promise<FastifyInstance> {
  const loggerInstance: FastifyBaseLogger = deps.logger;
  const requestTimeout = deps.requestTimeoutMs ?? 60_000;
  const app = Fastify({
    loggerInstance,
    bodyLimit: deps.bodyLimit ?? 64 * 1024,
    // Ids are up to 128 characters (interface.md "Limits"); find-my-way refuses params over 100 by default.
    routerOptions: { maxParamLength: 1024 },
    // Bounds a body that trickles in. Given to Node's constructor too: set only afterwards (as Fastify does),
    // it no longer cuts a body once the headers are in. Node checks every connectionsCheckingInterval, so
    // that runs often enough for the bound to hold. No connectionTimeout: it would also cut a long batch
    // whose answer is still being computed; idle sockets are bounded by headersTimeout and keepAliveTimeout.
    requestTimeout,
    http: { requestTimeout, connectionsCheckingInterval: Math.min(30_000, Math.max(250, Math.floor(requestTimeout / 4))) },
    // The router's and Node's own errors answer with the API's error body too.
    frameworkErrors,
    clientErrorHandler: clientErrorHandler(deps.logger),
    // While closing, requests get the API's own 503 body (below), not Fastify's.
    return503OnClosing: false,
    // x-request-id: the caller's own when well formed, else a fresh one (request-id.ts).
    requestIdHeader: false,
    genReqId: requestIdOf,
  });
  // First: every answer, the 503s of a closing server included, carries the request id.
  requestIds(app);
  // Before any route: every route's series, and the 503s of a closing server, are counted.
  if (deps.httpMetrics) measureRequests(app, deps.httpMetrics);
  if (deps.maxConnections !== undefined) app.server.maxConnections = deps.maxConnections;
  answerUnavailableWhileClosing(app);
  // Traces on: a server span per request, active in each route's handler (declared before any route).
  if (deps.tracer) traceRequests(app, deps.tracer);
  // Before any route: every route's `config.openapi` goes into GET /openapi.json.
  const routes = collectRoutes(app);
  // Only the connection's liveness: the API reads and writes Redis through the store.
  const redis = deps.store.connection;
  installErrorHandlers(app, redis);
  app.decorateRequest('actor', '');

  await healthRoutes(app, { redis, ready: deps.ready, primary: deps.primary, routeConfig: { healthz: { openapi: healthzDoc }, readyz: { openapi: readyzDoc } } });

  await app.register(async (v1) => {
    v1.addHook('onRequest', v1Guard({ tokens: deps.tokens, limiter: deps.limiter, maxConcurrentPerToken: deps.maxConcurrentPerToken }));

    v1.post('/withdrawals', { config: { openapi: createWithdrawalDoc } }, async (req, reply) => {
      const res = await enqueueWithdrawal(deps, req.body, { caller: callerOf(req) });
      if (res.kind === 'refused') return reply.code(res.status).send(errorBody(res.error));
      return reply.code(res.kind === 'accepted' ? 202 : 200).send(publicRecord(res.record));
    });

    await listRoutes(v1, deps);

    v1.get<WithId>('/withdrawals/:id', { config: { openapi: getWithdrawalDoc } }, async (req, reply) => {
      const rec = await deps.store.get(req.params.id);
      // Another producer's withdrawal answers exactly as a missing one.
      if (!rec || !mayAccess(callerOf(req), rec.owner)) return reply.code(404).send(errorBody(noWithdrawal(req.params.id)));
      return publicRecord(rec);
    });

    v1.post<WithId>('/withdrawals/:id/cancel', { config: { openapi: cancelWithdrawalDoc } }, async (req, reply) => {
      const res = await cancelWithdrawal(deps, req.params.id, callerOf(req), req.body);
      if (!res.ok) return reply.code(res.status).send(errorBody(res.error));
      return publicRecord(res.record);
    });

    v1.post<WithId>('/withdrawals/:id/resolve', { config: { openapi: resolveWithdrawalDoc } }, async (req, reply) => {
      const res = await resolveWithdrawal(deps, req.params.id, callerOf(req), req.body);
      if (!res.ok) return reply.code(res.status).send(errorBody(res.error));
      return publicRecord(res.record);
    });

    v1.post<WithId>('/withdrawals/:id/approve', { config: { openapi: approveWithdrawalDoc } }, async (req, reply) => {
      const res = await approveWithdrawal(deps, req.params.id, callerOf(req), req.body);
      if (!res.ok) return reply.code(res.status).send(errorBody(res.error));
      return publicRecord(res.record);
    });
    await batchRoutes(v1, deps);
    await limitRoutes(v1, deps);
    await eventRoutes(v1, deps.store);
    if (deps.webhooks) await webhookRoutes(v1, deps.webhooks, deps.limiter);
  }, { prefix: '/v1' });

  await deps.extend?.(app);
  await openapiRoutes(app, routes, deps.store.providers);
  return app;
}
