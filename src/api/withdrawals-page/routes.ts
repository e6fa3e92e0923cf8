import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { STATUSES } from '../../withdrawals/status.ts';
import type { WithdrawalStore } from '../../withdrawals/store.ts';
import { renderDetail } from './detail.ts';
import { esc, HTML_HEADERS, page } from './html.ts';
import { renderList } from './list.ts';
import { readSections, STATUS_ORDER } from './read.ts';

/** The list's query: a provider must be one of the store's (the runtime's providers). */
function listQuery(providers: readonly string[]) {
  return z.object({
    status: z.enum(STATUSES).optional(),
    provider: z.enum(providers).optional(),
    limit: z.coerce.number().int().min(1).max(1000).default(50),
  });
}

/** `/admin/withdrawals` (by status, the ones needing a person first) and `/admin/withdrawals/:id`. Read-only. */
export async function withdrawalsPage(app: FastifyInstance, store: WithdrawalStore, now: () => number = Date.now): Promise<void> {
  const query = listQuery(store.providers);
  app.get('/admin/withdrawals', async (req, reply) => {
    const q = query.safeParse(req.query);
    if (!q.success) {
      const msg = q.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
      return reply.code(400).headers(HTML_HEADERS).send(page('Bad request', `<h1>Bad request</h1><p>${esc(msg)}</p>`));
    }
    const sections = await readSections(store, {
      statuses: q.data.status ? [q.data.status] : STATUS_ORDER,
      providers: q.data.provider ? [q.data.provider] : store.providers,
      limit: q.data.limit,
    });
    return reply.headers(HTML_HEADERS).send(renderList(sections, now()));
  });

  app.get<{ Params: { id: string } }>('/admin/withdrawals/:id', async (req, reply) => {
    const rec = await store.get(req.params.id);
    if (!rec) {
      return reply.code(404).headers(HTML_HEADERS).send(page('Not found', `<h1>No withdrawal <code>${esc(req.params.id)}</code></h1>`));
    }
    return reply.headers(HTML_HEADERS).send(renderDetail(rec, now()));
  });
}
