/** The OpenAPI 3.1 document of the HTTP API, generated from the zod schemas the routes validate with. */
export { collectRoutes, type CollectedRoute } from './collect.ts';
export { buildDocument, openapiPath, type OpenApiDocument } from './document.ts';
export { openapiRoutes, type OpenApiInfo } from './plugin.ts';
export type { MediaDoc, ParamDoc, ResponseDoc, RouteDoc } from './types.ts';
