import { BUILTIN_PROVIDER_NAMES } from '../../providers/index.ts';
import type { z } from 'zod';
import { eventSchema } from '../schemas/index.ts';
import type { CollectedRoute } from './collect.ts';
import { COMPONENT_URI, componentSchemas, inlineSchema, nameSchema, sharedRegistry, type ComponentRegistry, type JsonSchema } from './components.ts';
import * as ex from './examples.ts';
import { JSON_TYPE } from './responses.ts';
import type { MediaDoc, RouteDoc } from './types.ts';
import { REQUEST_ID_HEADER } from '../request-id.ts';

/** Every answer carries it (request-id.ts). */
const REQUEST_ID_DOC = {
  description: "The request's id: the caller's own `x-request-id` when well formed (1-128 of `A-Z a-z 0-9 . _ : - + = /`), else a fresh UUID. Every log line of the request carries it as `reqId`.",
  schema: { type: 'string', minLength: 1, maxLength: 128 },
};

export type OpenApiDocument = Record<string, unknown> & { openapi: string; paths: Record<string, Record<string, JsonSchema>> };

const SECURITY: Record<RouteDoc['auth'], JsonSchema[]> = { bearer: [{ bearerAuth: [] }], basic: [{ basicAuth: [] }], none: [] };

const TAGS = [
  { name: 'withdrawals', description: 'Enqueue and read payouts. `id` is the idempotency key.' },
  { name: 'operator', description: 'Decisions of a person, written to the history with who and why.' },
  { name: 'batches', description: 'Many withdrawals at once (JSON, NDJSON or CSV) and their progress.' },
  { name: 'events', description: 'The event stream every webhook delivery comes from.' },
  { name: 'webhooks', description: 'Endpoints that receive events (Standard Webhooks v1).' },
  { name: 'operations', description: 'Health, readiness, metrics and this document.' },
  { name: 'admin', description: 'Pages for people, behind HTTP basic auth.' },
];

const DESCRIPTION = [
  'A Bitcoin Lightning payout engine: producers enqueue withdrawals (BOLT11 invoices or on-chain addresses),',
  'workers submit each exactly once through its payment provider and settle it.',
  '',
  '`/v1/*` needs `Authorization: Bearer <token>` (API_TOKENS); `/admin/*` HTTP basic auth.',
  'Every error answers `{ "error": { "code", "message", "issues" } }`; match on `code` (see the ErrorCode schema).',
  'Amounts are millisatoshi strings.',
].join('\n');

/** `/v1/withdrawals/:id` → `/v1/withdrawals/{id}`. */
export function openapiPath(url: string): string {
  return url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

function isRequired(schema: z.ZodType): boolean {
  return !schema.safeParse(undefined).success;
}

function parameters(doc: RouteDoc): JsonSchema[] {
  const out: JsonSchema[] = [];
  for (const [where, object] of [['path', doc.params], ['query', doc.query]] as const) {
    for (const [name, schema] of Object.entries(object?.shape ?? {})) {
      const extra = doc.paramDocs?.[name] ?? {};
      out.push({ name, in: where, required: where === 'path' || isRequired(schema), schema: inlineSchema(schema), ...extra });
    }
  }
  return out;
}

class Writer {
  constructor(private readonly registry: ComponentRegistry) {}

  schema(schema: z.ZodType): JsonSchema {
    const named = this.registry.get(schema);
    return named ? { $ref: COMPONENT_URI(named.id) } : inlineSchema(schema);
  }

  content(content: Record<string, MediaDoc>): JsonSchema {
    const out: JsonSchema = {};
    for (const [type, media] of Object.entries(content)) {
      out[type] = { schema: this.schema(media.schema), ...(media.examples ? { examples: media.examples } : {}) };
    }
    return out;
  }

  operation(doc: RouteDoc): JsonSchema {
    const params = parameters(doc);
    const responses: JsonSchema = {};
    for (const [status, res] of Object.entries(doc.responses).sort(([a], [b]) => a.localeCompare(b))) {
      const headers = {
        ...Object.fromEntries(Object.entries(res.headers ?? {}).map(([name, h]) => [name, { description: h.description, schema: this.schema(h.schema) }])),
        [REQUEST_ID_HEADER]: REQUEST_ID_DOC,
      };
      responses[status] = { description: res.description, headers, ...(res.content ? { content: this.content(res.content) } : {}) };
    }
    return {
      operationId: doc.operationId,
      summary: doc.summary,
      ...(doc.description ? { description: doc.description } : {}),
      tags: doc.tags,
      security: SECURITY[doc.auth],
      ...(params.length ? { parameters: params } : {}),
      ...(doc.body ? { requestBody: { required: doc.body.required, ...(doc.body.description ? { description: doc.body.description } : {}), content: this.content(doc.body.content) } } : {}),
      responses,
    };
  }
}

/** The Standard Webhooks delivery every registered endpoint receives (OpenAPI 3.1 `webhooks`). */
function webhookDelivery(writer: Writer): JsonSchema {
  const header = (name: string, description: string, example: string) => ({ name, in: 'header', required: true, description, schema: { type: 'string' }, example });
  return {
    post: {
      operationId: 'deliverEvent',
      summary: 'An event, delivered to a registered endpoint',
      description:
        'Standard Webhooks v1: verify `webhook-signature` (HMAC-SHA256 of `<webhook-id>.<webhook-timestamp>.<body>` keyed with the ' +
        'base64-decoded part of the secret after `whsec_`) with any Standard Webhooks library. A 2xx answer acknowledges; anything else, ' +
        'or no answer in time, is retried with backoff. `webhook-id` is the event id, the same on every retry and replay.',
      tags: ['webhooks'],
      parameters: [
        header('webhook-id', 'the event id', ex.EVENT_ID),
        header('webhook-timestamp', 'Unix seconds of this attempt', '1795255202'),
        header('webhook-signature', 'space-separated `v1,<base64>` signatures', 'v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4='),
      ],
      requestBody: { required: true, content: writer.content({ [JSON_TYPE]: { schema: eventSchema, examples: { succeeded: { value: ex.withdrawalEvent } } } }) },
      responses: { '2XX': { description: 'Acknowledged.' } },
    },
  };
}

/**
 * The OpenAPI 3.1 document of the routes an app declared (see collect.ts), generated from the zod
 * schemas the routes validate with and the response schemas of src/api/schemas.
 */
/**
 * The schemas are declared with the built-in providers' names; a runtime's document lists its own
 * providers instead: every enum of exactly the built-in names (with or without `auto`) becomes the
 * runtime's names (with or without `auto`).
 */
function withProviders<T>(value: T, names: readonly string[]): T {
  const builtin = BUILTIN_PROVIDER_NAMES.join('\n');
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (typeof v !== 'object' || v === null) return v;
    return Object.fromEntries(
      Object.entries(v).map(([k, x]) => {
        if (k === 'enum' && Array.isArray(x)) {
          const words = x.map(String);
          if (words.join('\n') === builtin) return [k, [...names]];
          if (words.join('\n') === `${builtin}\nauto`) return [k, [...names, 'auto']];
        }
        return [k, walk(x)];
      }),
    );
  };
  return walk(value) as T;
}

export function buildDocument(routes: readonly CollectedRoute[], opts: { version: string; providers?: readonly string[] }): OpenApiDocument {
  const document = describe(routes, opts);
  return opts.providers ? withProviders(document, opts.providers) : document;
}

function describe(routes: readonly CollectedRoute[], opts: { version: string }): OpenApiDocument {
  const registry = sharedRegistry();
  for (const { doc } of routes) {
    for (const media of Object.values(doc?.body?.content ?? {})) if (media.name) nameSchema(registry, media.schema, media.name);
  }
  const writer = new Writer(registry);
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const { method, url, doc } of routes) {
    if (!doc) continue;
    const path = openapiPath(url);
    paths[path] = { ...paths[path], [method.toLowerCase()]: writer.operation(doc) };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'withdrawals', version: opts.version, description: DESCRIPTION, license: { name: 'MIT', identifier: 'MIT' } },
    servers: [{ url: '/', description: 'this server' }],
    tags: TAGS,
    paths: Object.fromEntries(Object.entries(paths).sort(([a], [b]) => a.localeCompare(b))),
    webhooks: { event: webhookDelivery(writer) },
    components: {
      schemas: componentSchemas(registry),
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer', description: 'a token of API_TOKENS (`name=token,...`)' },
        basicAuth: { type: 'http', scheme: 'basic', description: 'DASHBOARD_USER and DASHBOARD_PASSWORD' },
      },
    },
  };
}
