import type { FastifyContextConfig, FastifyInstance } from 'fastify';
import type { RedisLiveness } from '../redis.ts';
import { apiError, type ApiError } from '../withdrawals/errors.ts';

/** One readiness check beyond Redis (workers running...): null when fine, else the problem in a few words. */
export type ReadyCheck = () => Promise<string | null>;

/** The Redis primary this process writes to (`host:port`), null while not connected. */
export type PrimaryOf = () => Promise<string | null>;

export type Readiness = { ok: true; redis?: { primary: string | null } } | { ok: false; problems: string[]; error: ApiError };

export interface HealthDeps {
  /** A fail-fast connection (no offline queue): a dead Redis must fail the ping, not queue it. */
  redis: RedisLiveness;
  ready?: ReadyCheck;
  /** Named in the ready answer, so an operator sees which primary a process follows after a failover. */
  primary?: PrimaryOf;
  /** A ping unanswered this long counts as unreachable (a stalled Redis answers nothing). @defaultValue 2000 */
  pingTimeoutMs?: number;
  /** Route config of each route (the API's OpenAPI documentation). */
  routeConfig?: { healthz?: FastifyContextConfig; readyz?: FastifyContextConfig };
}

async function redisAnswers(redis: RedisLiveness, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    return await Promise.race([redis.ping().then(() => true, () => false), late]);
  } finally {
    clearTimeout(timer);
  }
}

/** What `/readyz` answers: Redis answers a PING and every extra check passes. */
export async function readiness(deps: HealthDeps): Promise<Readiness> {
  const problems: string[] = [];
  if (!(await redisAnswers(deps.redis, deps.pingTimeoutMs ?? 2000))) problems.push('redis unreachable');
  const extra = await deps.ready?.();
  if (extra) problems.push(extra);
  if (problems.length === 0) return deps.primary ? { ok: true, redis: { primary: await deps.primary().catch(() => null) } } : { ok: true };
  // The error body of every other error answer, beside the list a probe or a person reads.
  return { ok: false, problems, error: apiError('unavailable', `not ready: ${problems.join('; ')}`) };
}

/** `GET /healthz` (the process answers) and `GET /readyz` (200, or 503 with the problems), unauthenticated. */
export async function healthRoutes(app: FastifyInstance, deps: HealthDeps): Promise<void> {
  app.get('/healthz', { config: deps.routeConfig?.healthz }, async () => ({ ok: true }));
  app.get('/readyz', { config: deps.routeConfig?.readyz }, async (_req, reply) => {
    const r = await readiness(deps);
    return r.ok ? r : reply.code(503).send(r);
  });
}
