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
const notFound = errorResponse('No endpoint has this id.', { not_found: ['not_found', `no webhook endpoint ${ex.webhookEndpoint.id}`] });

export const createWebhookDoc: RouteDoc = {
  operationId: 'createWebhook',
  summary: 'Register a webhook endpoint',
  description:
    'Deliveries follow Standard Webhooks v1 (see `webhooks.event`). `events` absent: every type. The secret (`whsec_...`) ' +
    'is shown in this answer only; a `secret` in the body is used instead of a generated one. http or https, no credentials in the URL.',
  tags: [TAG],
  auth: 'bearer',
  body: {
    required: true,
    content: { [JSON_TYPE]: { schema: createEndpointSchema, name: 'CreateWebhookRequest', examples: { some: { value: ex.webhookRequest } } } },
  },
  responses: v1Responses({
    201: jsonResponse('Registered; keep the secret.', createdWebhookSchema, { created: { value: ex.createdWebhook } }),
    400: errorResponse('The body is invalid.', { invalid_request: ['invalid_request', 'invalid request: url: must be an http or https URL'] }),
    ...bodyErrors('64 KiB'),
  }),
};

export const listWebhooksDoc: RouteDoc = {
  operationId: 'listWebhooks',
  summary: 'List webhook endpoints (without secrets)',
  tags: [TAG],
  auth: 'bearer',
  responses: v1Responses({ 200: jsonResponse('Every endpoint.', webhookListSchema, { one: { value: { webhooks: [ex.webhookEndpoint] } } }) }),
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
    409: errorResponse('The endpoint comes from WEBHOOK_URL (configuration), not the API.', {
      invalid_state: ['invalid_state', 'this endpoint comes from WEBHOOK_URL; change the configuration to remove it'],
    }),
  }),
};

export const replayWebhookDoc: RouteDoc = {
  operationId: 'replayWebhook',
  summary: 'Redeliver events to an endpoint',
  description:
    'One event (`eventId`, whatever its type), or the events after `after` up to `until` (inclusive) that the endpoint subscribes to. ' +
    'Redeliveries keep their `webhook-id`. When the range holds more than one request replays, `next` says where to go on.',
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
    404: errorResponse('No endpoint has this id, or the event is no longer kept.', {
      not_found: ['not_found', 'no such event is kept in the event stream'],
    }),
    ...bodyErrors('64 KiB'),
  }),
};
