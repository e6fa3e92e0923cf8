import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { docsDoc } from './docs/operations.ts';

/**
 * The swagger-ui-dist files the page loads, with their types; nothing else of the package is served.
 * A Map: a plain object would also "have" `constructor`, `__proto__`, `hasOwnProperty`...
 */
const ASSETS: ReadonlyMap<string, string> = new Map([
  ['swagger-ui.css', 'text/css; charset=utf-8'],
  ['swagger-ui-bundle.js', 'text/javascript; charset=utf-8'],
  ['swagger-ui-standalone-preset.js', 'text/javascript; charset=utf-8'],
  ['favicon-32x32.png', 'image/png'],
  ['favicon-16x16.png', 'image/png'],
]);

// Relative URLs throughout, so the page works behind a proxy that mounts the API under a path.
const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>withdrawals API</title>
<link rel="stylesheet" href="docs/assets/swagger-ui.css">
<link rel="icon" type="image/png" href="docs/assets/favicon-32x32.png" sizes="32x32">
</head>
<body>
<div id="swagger-ui"></div>
<script src="docs/assets/swagger-ui-bundle.js"></script>
<script src="docs/assets/swagger-ui-standalone-preset.js"></script>
<script src="docs/assets/init.js"></script>
</body>
</html>
`;

// The document's URL from this script's own (docs/assets/init.js), so a path prefix is kept.
// validatorUrl null: Swagger UI would otherwise send the document to validator.swagger.io.
const INIT = `var specUrl = new URL('../../openapi.json', document.currentScript.src).href;
window.onload = function () {
  window.ui = SwaggerUIBundle({
    url: specUrl,
    dom_id: '#swagger-ui',
    deepLinking: true,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    layout: 'StandaloneLayout'
  });
};
`;

/** Everything from this server, nothing from a CDN; Swagger UI needs inline styles. */
const CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'";

function assetDir(): string {
  return dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
}

/** `GET /docs`: Swagger UI on `/openapi.json`, its assets served from the swagger-ui-dist package. */
export async function swaggerUiRoutes(app: FastifyInstance): Promise<void> {
  const dir = assetDir();
  app.get('/docs', { config: { openapi: docsDoc } }, async (_req, reply) =>
    reply.header('content-type', 'text/html; charset=utf-8').header('content-security-policy', CSP).send(PAGE),
  );
  app.get('/docs/assets/init.js', async (_req, reply) => reply.header('content-type', 'text/javascript; charset=utf-8').send(INIT));
  const files = new Map<string, Promise<Buffer>>();
  // Read once and kept (about 1.5 MB in all): no file stream per request whose error could go unheard.
  const read = (name: string): Promise<Buffer> => {
    let file = files.get(name);
    if (!file) {
      file = readFile(join(dir, name));
      files.set(name, file);
      // A failed read is tried again next time (and answered by the error handler now, through the await below).
      file.catch(() => files.delete(name));
    }
    return file;
  };
  app.get<{ Params: { file: string } }>('/docs/assets/:file', async (req, reply) => {
    const type = ASSETS.get(req.params.file);
    if (type === undefined) return reply.callNotFound();
    const body = await read(req.params.file);
    return reply.header('content-type', type).header('cache-control', 'public, max-age=86400').send(body);
  });
}
