import { z } from 'zod';
import { createEndpointSchema } from '../../../webhooks/endpoint.ts';
import { replayBodySchema } from '../../../webhooks/replay.ts';
import { createdWebhookSchema, replayAnswerSchema, webhookEndpointSchema, webhookListSchema } from '../../schemas/index.ts';
import * as ex from '../examples.ts';
import { bodyErrors, errorResponse, JSON_TYPE, jsonResponse, v1Responses } from '../responses.ts';
import type { RouteDoc } from '../types.ts';

const TAG = 'webhooks';
const byId = z.object({ id: z.string() });
const idDoc = { id: { description: 'the endpoint id', example: ex.webhookEndpoint.id } };
const notFound = errorResponse("No endpoint has this id, or it is another producer's (answered alike).", {
  not_found: ['not_found', `no webhook endpoint ${ex.webhookEndpoint.id}`],
});

export const createWebhookDoc: RouteDoc = {
  operationId: 'createWebhook',
  summary: 'Register a webhook endpoint',
  description:
    'Deliveries follow Standard Webhooks v1 (see `webhooks.event`). `events` absent: every type. The secret (`whsec_...`) ' +
    'is shown in this answer only; a `secret` in the body is used instead of a generated one. http or https, no credentials in the URL. ' +
    "The endpoint belongs to the caller: a producer's receives that producer's events only, an operator's every event. " +
    'A URL whose host is, or resolves to, a loopback, private, link-local, CGNAT, unique-local, multicast, unspecified or ' +
    'IPv4-mapped address (or `localhost`) is refused, and never connected to at delivery, unless WEBHOOK_ALLOW_PRIVATE=true. ' +
    'Each caller registers at most WEBHOOK_MAX_ENDPOINTS endpoints.',
  tags: [TAG],
  auth: 'bearer',
  body: {
    required: true,
    content: { [JSON_TYPE]: { schema: createEndpointSchema, name: 'CreateWebhookRequest', examples: { some: { value: ex.webhookRequest } } } },
  },
  responses: v1Responses({
    201: jsonResponse('Registered; keep the secret.', createdWebhookSchema, { created: { value: ex.createdWebhook } }),
    400: errorResponse('The body is invalid, the URL reaches a private network, or the caller already has WEBHOOK_MAX_ENDPOINTS endpoints.', {
      invalid_request: ['invalid_request', 'invalid request: url: must be an http or https URL'],
      private_url: ['invalid_request', 'invalid request: url: must not point at a non-public address (loopback)'],
      too_many: [
        'invalid_request',
        'invalid request: (body): at most 16 webhook endpoints per producer (WEBHOOK_MAX_ENDPOINTS); remove one with DELETE /v1/webhooks/:id first',
      ],
    }),
    ...bodyErrors('64 KiB'),
  }),
};

export const listWebhooksDoc: RouteDoc = {
  operationId: 'listWebhooks',
  summary: 'List webhook endpoints (without secrets)',
  description: "A producer's own endpoints; an operator's list holds every endpoint, the WEBHOOK_URL one included, each with its `owner`.",
  tags: [TAG],
  auth: 'bearer',
  responses: v1Responses({ 200: jsonResponse('The endpoints the caller may see.', webhookListSchema, { one: { value: { webhooks: [ex.webhookEndpoint] } } }) }),
};

export const getWebhookDoc: RouteDoc = {
  operationId: 'getWebhook',
  summary: 'Read a webhook endpoint (without its secret)',
  tags: [TAG],
  auth: 'bearer',
  params: byId,
  paramDocs: idDoc,
  responses: v1Responses({ 200: jsonResponse('The endpoint.', webhookEndpointSchema, { one: { value: ex.webhookEndpoint } }), 404: notFound }),
};

export const deleteWebhookDoc: RouteDoc = {
  operationId: 'deleteWebhook',
  summary: 'Remove a webhook endpoint',
  tags: [TAG],
  auth: 'bearer',
  params: byId,
  paramDocs: idDoc,
  responses: v1Responses({
    204: { description: 'Removed; nothing more is delivered to it.' },
    404: notFound,
    409: errorResponse('The endpoint comes from WEBHOOK_URL (configuration), not the API (only operators see it).', {
      invalid_state: ['invalid_state', 'this endpoint comes from WEBHOOK_URL; change the configuration to remove it'],
    }),
  }),
};

export const replayWebhookDoc: RouteDoc = {
  operationId: 'replayWebhook',
  summary: 'Redeliver events to an endpoint',
  description:
    'One event (`eventId`, whatever its type), or the events after `after` up to `until` (inclusive) that the endpoint subscribes to. ' +
    'Redeliveries keep their `webhook-id`. When the range holds more than one request replays, `next` says where to go on. ' +
    "A producer's endpoint is sent that producer's events only: another producer's `eventId` answers 404 like a missing one.",
  tags: [TAG],
  auth: 'bearer',
  params: byId,
  paramDocs: idDoc,
  body: {
    required: true,
    content: {
      [JSON_TYPE]: {
        schema: replayBodySchema,
        name: 'ReplayRequest',
        examples: { one: { value: { eventId: ex.EVENT_ID } }, range: { value: { after: ex.EVENT_ID, until: ex.NEXT_EVENT_ID } } },
      },
    },
  },
  responses: v1Responses({
    202: jsonResponse('The redeliveries were queued.', replayAnswerSchema, { queued: { value: ex.replayAnswer } }),
    400: errorResponse('The body is invalid.', { invalid_request: ['invalid_request', 'invalid request: eventId: must be an event id (evt_...)'] }),
    404: errorResponse("No endpoint has this id (or it is another producer's), or the event is not kept (or is another producer's).", {
      not_found: ['not_found', 'no such event is kept in the event stream'],
    }),
    ...bodyErrors('64 KiB'),
  }),
};
