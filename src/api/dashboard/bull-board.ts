import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { FastifyInstance } from 'fastify';
import type { Queues } from '../../queues/queues.ts';

export const DASHBOARD_PATH = '/admin/queues';

/**
 * The job data fields the dashboard may show: submit jobs carry `{ id }`, settle jobs `{ id, checks }`,
 * webhook deliveries `{ lane, eventId }`. Anything else is dropped, so a field added to a job later
 * (with something that should stay private) never reaches the screen unnoticed.
 */
const VISIBLE_JOB_FIELDS = new Set(['id', 'checks', 'lane', 'eventId']);

export function visibleJobData(data: unknown): Record<string, unknown> {
  if (!data || typeof data !== 'object') return {};
  return Object.fromEntries(Object.entries(data).filter(([k]) => VISIBLE_JOB_FIELDS.has(k)));
}

/**
 * Mounts bull-board on `app` at /admin/queues, every queue read-only: a retry or "add job" on a
 * submit queue could start a second payment attempt, and a pause, empty or clean elsewhere stops
 * or loses settlement and webhook deliveries. bull-board enforces read-only on the server side too
 * (405), not only by hiding buttons; the admin guards (read-only.ts) refuse writes before it.
 */
export async function mountBullBoard(app: FastifyInstance, queues: Queues, links: { text: string; url: string }[]): Promise<void> {
  const adapters = queues.all().map((q) => {
    const adapter = new BullMQAdapter(q, { readOnlyMode: true, displayName: q.name });
    adapter.setFormatter('data', visibleJobData);
    return adapter;
  });
  const serverAdapter = new FastifyAdapter();
  serverAdapter.setBasePath(DASHBOARD_PATH);
  createBullBoard({
    queues: adapters,
    serverAdapter,
    options: { uiConfig: { boardTitle: 'Withdrawals', miscLinks: links, hideDocsLink: true } },
  });
  await app.register(serverAdapter.registerPlugin(), { prefix: DASHBOARD_PATH });
}
