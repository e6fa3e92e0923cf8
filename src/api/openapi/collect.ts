import type { FastifyInstance } from 'fastify';
import { EXTERNAL_ROUTE_DOCS } from './docs/operations.ts';
import type { RouteDoc } from './types.ts';

export interface CollectedRoute {
  method: string;
  /** fastify's form: `/v1/withdrawals/:id`. */
  url: string;
  doc: RouteDoc | null;
}

/**
 * Routes that are not part of the API's contract: bull-board's own assets and XHR API under its
 * page, and Swagger UI's assets under /docs.
 */
const INTERNAL_PREFIXES = ['/admin/queues/', '/docs/'];

function isInternal(url: string, hidden: boolean): boolean {
  return hidden || INTERNAL_PREFIXES.some((p) => url.startsWith(p));
}

/**
 * Records every route added to `app` from now on, with the `config.openapi` it was declared with
 * (or the description of a route declared outside the API's route modules). Call it before any route.
 */
export function collectRoutes(app: FastifyInstance): CollectedRoute[] {
  const routes: CollectedRoute[] = [];
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const hidden = typeof route.schema === 'object' && route.schema !== null && 'hide' in route.schema && route.schema.hide === true;
    for (const method of methods) {
      if (method === 'HEAD') continue;
      const doc = route.config?.openapi ?? EXTERNAL_ROUTE_DOCS[`${method} ${route.url}`] ?? null;
      // A description wins over `schema.hide` (bull-board hides its page from @fastify/swagger).
      if (!doc && isInternal(route.url, hidden)) continue;
      routes.push({ method, url: route.url, doc });
    }
  });
  return routes;
}
