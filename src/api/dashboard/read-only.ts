import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { apiError } from '../../withdrawals/errors.ts';
import { errorBody } from '../errors.ts';

/**
 * Guards of `/admin/*`: the admin pages change nothing. Operator actions go through `/v1`, where
 * each one is recorded with its token's name; a button on a page behind one shared basic-auth
 * login could not say who pressed it (and pausing `settle` once stopped settlement).
 */

declare module 'fastify' {
  interface FastifySchema {
    /** Leaves the route out of the OpenAPI document: the flag bull-board sets for @fastify/swagger, read by openapi/collect.ts. */
    hide?: boolean;
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD']);

export function isSafeMethod(method: string): boolean {
  return SAFE_METHODS.has(method.toUpperCase());
}

/** This server's own origin as the browser sees it (`http://127.0.0.1:3000`), or null without a Host. */
function ownOrigin(req: FastifyRequest): string | null {
  if (!req.host) return null;
  try {
    return new URL(`${req.protocol}://${req.host}`).origin;
  } catch {
    return null;
  }
}

/**
 * Whether a browser sent this request on behalf of another site. Browsers attach cached basic-auth
 * credentials to cross-site requests too, so the login alone does not prove the operator meant it.
 * `Sec-Fetch-Site` is trusted when present; otherwise `Origin` (absent on requests no browser sent
 * for a page, such as curl's) must be this server's own. `same-site` (a sibling subdomain) counts
 * as foreign: the admin pages have no business with their neighbours.
 */
export function isCrossSite(req: FastifyRequest): boolean {
  const fetchSite = req.headers['sec-fetch-site'];
  if (fetchSite !== undefined && fetchSite !== 'same-origin' && fetchSite !== 'none') return true;
  const origin = req.headers.origin;
  if (origin === undefined) return false;
  // "null" (a sandboxed frame, a redirect across sites) is never this server.
  return origin !== ownOrigin(req);
}

/**
 * An `onRequest` hook: a request that could change state (any method but GET/HEAD) coming from
 * another site is refused with 403. Kept apart from `readOnlyHook`, so that a state-changing admin
 * route, if one is ever let through that hook, still refuses cross-site requests.
 */
export async function sameOriginWritesHook(req: FastifyRequest, reply: FastifyReply): Promise<void> {
  if (isSafeMethod(req.method) || !isCrossSite(req)) return;
  await reply
    .code(403)
    .header('cache-control', 'no-store')
    .send(errorBody(apiError('forbidden', `a cross-site ${req.method} to the admin pages is refused`)));
}

/**
 * An `onRequest` hook: every method but GET and HEAD is refused with 405 before any handler (and
 * before the body is parsed), whatever the route. bull-board's own read-only mode is the second
 * line: it hides the buttons and refuses queue actions itself.
 */
export async function readOnlyHook(req: FastifyRequest, reply: FastifyReply): Promise<void> {
  if (isSafeMethod(req.method)) return;
  await reply
    .code(405)
    .header('allow', 'GET, HEAD')
    .header('cache-control', 'no-store')
    .send(errorBody(apiError('forbidden', `the admin pages are read-only: ${req.method} is refused; operator actions go through /v1`)));
}

/**
 * Every write under /admin gets the same 405, not only writes to routes that exist: without this,
 * a DELETE or a PUT bull-board does not define fell through to the 404 handler, outside these hooks.
 */
export function refuseAllWrites(admin: FastifyInstance): void {
  const writes = admin.supportedMethods.filter((m) => !isSafeMethod(m));
  // Unreachable past readOnlyHook; answers the same should that hook ever be removed. Hidden: a
  // refusal is no operation of the API (openapi/collect.ts leaves hidden routes out).
  for (const url of ['/admin', '/admin/*']) admin.route({ method: writes, url, schema: { hide: true }, handler: readOnlyHook });
}
