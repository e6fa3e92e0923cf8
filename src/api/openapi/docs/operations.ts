import { z } from 'zod';
import { STATUSES } from '../../../withdrawals/status.ts';
import { BUILTIN_PROVIDER_NAMES } from '../../../providers/index.ts';
import { healthSchema, notReadySchema, readySchema } from '../../schemas/index.ts';
import { errorResponse, jsonResponse } from '../responses.ts';
import type { ResponseDoc, RouteDoc } from '../types.ts';

const TAG = 'operations';
const html = (description: string): ResponseDoc => ({ description, content: { 'text/html': { schema: z.string() } } });
const adminUnauthorized = errorResponse('No or wrong basic-auth credentials (DASHBOARD_USER / DASHBOARD_PASSWORD); a Basic challenge.', {
  unauthorized: ['unauthorized', 'the admin pages need HTTP basic auth (DASHBOARD_USER / DASHBOARD_PASSWORD)'],
});
const ADMIN_NOTE = 'Mounted only when DASHBOARD_USER and DASHBOARD_PASSWORD are both set (otherwise 404).';

export const healthzDoc: RouteDoc = {
  operationId: 'healthz',
  summary: 'The process is up',
  tags: [TAG],
  auth: 'none',
  responses: { 200: jsonResponse('Up.', healthSchema, { ok: { value: { ok: true } } }) },
};

export const readyzDoc: RouteDoc = {
  operationId: 'readyz',
  summary: 'Redis is reachable and this process’s workers run',
  tags: [TAG],
  auth: 'none',
  responses: {
    200: jsonResponse('Ready.', readySchema, { ok: { value: { ok: true, redis: { primary: '10.0.0.5:6379' } } } }),
    503: jsonResponse('Not ready: the problems, and the error body (code `unavailable`).', notReadySchema, {
      redis: {
        value: { ok: false, problems: ['redis unreachable'], error: { code: 'unavailable', message: 'not ready: redis unreachable', issues: [] } },
      },
    }),
  },
};

export const openapiDoc: RouteDoc = {
  operationId: 'openapi',
  summary: 'This OpenAPI 3.1 document',
  tags: [TAG],
  auth: 'none',
  responses: { 200: jsonResponse('The document.', z.looseObject({ openapi: z.string() })) },
};

export const docsDoc: RouteDoc = {
  operationId: 'docs',
  summary: 'Browsable API reference (Swagger UI, served from this server)',
  tags: [TAG],
  auth: 'none',
  responses: { 200: html('The Swagger UI page.') },
};

/** Routes declared in files outside src/api's route modules, by `METHOD url`. */
export const EXTERNAL_ROUTE_DOCS: Readonly<Record<string, RouteDoc>> = {
  'GET /metrics': {
    operationId: 'metrics',
    summary: 'Prometheus metrics',
    description: 'Prometheus text exposition format; no auth (counts and batch ids, never secrets).',
    tags: [TAG],
    auth: 'none',
    responses: { 200: { description: 'The metrics.', content: { 'text/plain': { schema: z.string() } } } },
  },
  'GET /admin/queues': {
    operationId: 'adminQueues',
    summary: 'The Bull dashboard (bull-board)',
    description: `${ADMIN_NOTE} The submit queues are read-only.`,
    tags: ['admin'],
    auth: 'basic',
    responses: { 200: html('The dashboard.'), 401: adminUnauthorized },
  },
  'GET /admin/withdrawals': {
    operationId: 'adminWithdrawals',
    summary: 'Withdrawals by status, those needing a person first',
    description: ADMIN_NOTE,
    tags: ['admin'],
    auth: 'basic',
    query: z.object({
      status: z.enum(STATUSES).optional(),
      provider: z.enum(BUILTIN_PROVIDER_NAMES).optional(),
      limit: z.number().int().min(1).max(1000).default(50),
    }),
    responses: { 200: html('The page.'), 400: html('A query parameter is invalid.'), 401: adminUnauthorized },
  },
  'GET /admin/withdrawals/:id': {
    operationId: 'adminWithdrawal',
    summary: 'One withdrawal with its history and failure evidence',
    description: ADMIN_NOTE,
    tags: ['admin'],
    auth: 'basic',
    params: z.object({ id: z.string() }),
    responses: { 200: html('The page.'), 404: html('No withdrawal has this id.'), 401: adminUnauthorized },
  },
};
