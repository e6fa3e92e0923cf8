import type { FastifyInstance, FastifyRequest } from 'fastify';
import { apiError, invalidRequest } from '../withdrawals/errors.ts';
import { createEndpointSchema, publicEndpoint, type Endpoint } from '../webhooks/endpoint.ts';
import { mayManage } from '../webhooks/ownership.ts';
import { replayBodySchema } from '../webhooks/replay.ts';
import type { WebhookApi } from '../webhooks/service.ts';
import { callerOf } from './auth.ts';
import { errorBody } from './errors.ts';
import { rateLimited } from './guard.ts';
import type { RateLimiter } from './rate-limit.ts';
import { createWebhookDoc, deleteWebhookDoc, getWebhookDoc, listWebhooksDoc, replayWebhookDoc } from './openapi/docs/webhooks.ts';

type WithId = { Params: { id: string } };

/**
 * Webhook endpoints: register (the secret is shown once), list, remove, replay. Inside the authenticated
 * scope. A producer acts on its own endpoints only; any other answers 404 exactly like a missing one.
 */
export async function webhookRoutes(app: FastifyInstance, deps: WebhookApi, limiter?: RateLimiter): Promise<void> {
  const { registry } = deps;
  const notFound = (id: string) => errorBody(apiError('not_found', `no webhook endpoint ${id}`));
  /** The endpoint, when it exists and the caller may see it. */
  const visible = async (req: FastifyRequest<WithId>): Promise<Endpoint | null> => {
    const endpoint = await registry.get(req.params.id);
    return endpoint && mayManage(callerOf(req), endpoint) ? endpoint : null;
  };

  app.post('/webhooks', { config: { openapi: createWebhookDoc } }, async (req, reply) => {
    const parsed = createEndpointSchema.safeParse(req.body);
    if (!parsed.success) return reply.code(400).send(errorBody(invalidRequest(parsed.error)));
    const res = await deps.register(callerOf(req), parsed.data);
    if (!res.ok) {
      const path = res.refused === 'url' ? 'url' : '(body)';
      return reply.code(400).send(errorBody(apiError('invalid_request', `invalid request: ${path}: ${res.message}`, [{ path, message: res.message }])));
    }
    const { endpoint } = res;
    req.log.info({ endpointId: endpoint.id, actor: req.actor }, 'webhook endpoint registered');
    return reply.code(201).send({ ...publicEndpoint(endpoint), secret: endpoint.secret });
  });

  app.get('/webhooks', { config: { openapi: listWebhooksDoc } }, async (req) => {
    const caller = callerOf(req);
    return { webhooks: (await registry.list()).filter((e) => mayManage(caller, e)).map(publicEndpoint) };
  });

  app.get<WithId>('/webhooks/:id', { config: { openapi: getWebhookDoc } }, async (req, reply) => {
    const endpoint = await visible(req);
    return endpoint ? publicEndpoint(endpoint) : reply.code(404).send(notFound(req.params.id));
  });

  app.delete<WithId>('/webhooks/:id', { config: { openapi: deleteWebhookDoc } }, async (req, reply) => {
    const endpoint = await visible(req);
    const res = endpoint ? await registry.remove(endpoint.id) : 'missing';
    if (res === 'missing') return reply.code(404).send(notFound(req.params.id));
    if (res === 'configured') {
      return reply.code(409).send(errorBody(apiError('invalid_state', 'this endpoint comes from WEBHOOK_URL; change the configuration to remove it')));
    }
    req.log.info({ endpointId: req.params.id, actor: req.actor }, 'webhook endpoint removed');
    return reply.code(204).send();
  });

  app.post<WithId>('/webhooks/:id/replay', { config: { openapi: replayWebhookDoc } }, async (req, reply) => {
    const endpoint = await visible(req);
    if (!endpoint) return reply.code(404).send(notFound(req.params.id));
    const parsed = replayBodySchema.safeParse(req.body);
    if (!parsed.success) return reply.code(400).send(errorBody(invalidRequest(parsed.error)));
    // Each replay may queue up to WEBHOOK_REPLAY_MAX deliveries: how many a caller starts is bounded too.
    const wait = limiter ? await limiter.replay(callerOf(req).name) : 0;
    if (wait > 0) return rateLimited(reply, wait, 'this caller started more webhook replays this minute than WEBHOOK_REPLAYS_PER_MIN allows');
    const answer = await deps.replay(endpoint, parsed.data);
    if (!answer) return reply.code(404).send(errorBody(apiError('not_found', 'no such event is kept in the event stream')));
    req.log.info({ endpointId: endpoint.id, replayId: answer.replayId, replayed: answer.replayed, actor: req.actor }, 'webhook replay queued');
    return reply.code(202).send(answer);
  });
}
