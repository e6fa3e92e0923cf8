import { createRequire } from 'node:module';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { CollectedRoute } from './collect.ts';
import { buildDocument, openapiPath, type OpenApiDocument } from './document.ts';
import { openapiDoc } from './docs/operations.ts';
import { swaggerUiRoutes } from './swagger-ui.ts';

export interface OpenApiInfo {
  document: OpenApiDocument;
  /** `METHOD path` of every route the app has that the document does not describe (should be none). */
  undocumented(): string[];
}

declare module 'fastify' {
  interface FastifyInstance {
    openapi: OpenApiInfo;
  }
}

/** The package's version: the document's `info.version` (package.json found by name, from src/ and dist/ alike). */
function packageVersion(): string {
  return z.object({ version: z.string() }).parse(createRequire(import.meta.url)('withdrawals/package.json')).version;
}

/**
 * `GET /openapi.json` and `GET /docs` (no token), for the routes collected so far: mount it after
 * every other route; `providers`: the runtime's provider names, listed wherever a provider is named.
 * The document is built now, so a schema that cannot be described fails at start-up.
 */
export async function openapiRoutes(app: FastifyInstance, routes: readonly CollectedRoute[], providers?: readonly string[]): Promise<void> {
  // These routes are declared before the document is built, so that it describes them too.
  let document: OpenApiDocument | undefined;
  app.get('/openapi.json', { config: { openapi: openapiDoc } }, async () => document);
  await swaggerUiRoutes(app);
  const described = buildDocument(routes, { version: packageVersion(), ...(providers ? { providers } : {}) });
  document = described;
  app.decorate('openapi', {
    document: described,
    undocumented: () =>
      routes.filter((r) => !r.doc || !described.paths[openapiPath(r.url)]?.[r.method.toLowerCase()]).map((r) => `${r.method} ${r.url}`),
  });
}
