import type { z } from 'zod';

/** One media type of a request or response body. */
export interface MediaDoc {
  /** A schema registered in `components.ts` becomes a `$ref`; any other is written inline. */
  schema: z.ZodType;
  /** Component name (`#/components/schemas/<name>`) for a schema not in `components.ts`; without one it is inlined. */
  name?: string;
  /** Named examples; each must be valid against `schema` (checked by test/integration/openapi-document.test.ts). */
  examples?: Record<string, { summary?: string; value: unknown }>;
}

export interface ResponseDoc {
  description: string;
  /** Keyed by media type; absent: no body (204). */
  content?: Record<string, MediaDoc>;
  headers?: Record<string, { description: string; schema: z.ZodType }>;
}

export interface ParamDoc {
  description?: string;
  example?: unknown;
}

/** What the OpenAPI document says about one route; attached as `config.openapi` where the route is declared. */
export interface RouteDoc {
  operationId: string;
  summary: string;
  description?: string;
  tags: string[];
  /** bearer: `/v1/*` (API_TOKENS); basic: `/admin/*` (DASHBOARD_USER/PASSWORD); none: public. */
  auth: 'bearer' | 'basic' | 'none';
  /** Path parameters (`:id` in the route), one property each. */
  params?: z.ZodObject;
  query?: z.ZodObject;
  /** Descriptions and examples of path and query parameters, by name. */
  paramDocs?: Record<string, ParamDoc>;
  body?: { description?: string; required: boolean; content: Record<string, MediaDoc> };
  /** Every status the route answers, with its body. */
  responses: Record<number, ResponseDoc>;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route's OpenAPI description (src/api/openapi). */
    openapi?: RouteDoc;
  }
}
