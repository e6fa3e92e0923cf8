import type { FastifyInstance } from 'fastify';
import type { Queues } from '../../queues/queues.ts';
import type { WithdrawalStore } from '../../withdrawals/store.ts';
import { withdrawalsPage } from '../withdrawals-page/routes.ts';
import { basicAuthHook, type BasicCredentials } from './basic-auth.ts';
import { mountBullBoard } from './bull-board.ts';
import { readOnlyHook, refuseAllWrites, sameOriginWritesHook } from './read-only.ts';

export interface AdminDeps {
  /** DASHBOARD_USER / DASHBOARD_PASSWORD; null (either unset) turns every /admin page off (404). */
  credentials: BasicCredentials | null;
  queues: Queues;
  store: WithdrawalStore;
}

export function dashboardCredentials(user: string | null, password: string | null): BasicCredentials | null {
  return user && password ? { user, password } : null;
}

/**
 * `/admin/queues` (bull-board) and `/admin/withdrawals`, all behind one HTTP basic auth, and all
 * read-only. The guards run first, in this order: a write is refused before anything else looks
 * at it, whatever its credentials.
 */
export async function adminRoutes(app: FastifyInstance, deps: AdminDeps): Promise<void> {
  const { credentials } = deps;
  if (!credentials) return;
  await app.register(async (admin) => {
    admin.addHook('onRequest', sameOriginWritesHook);
    admin.addHook('onRequest', readOnlyHook);
    admin.addHook('onRequest', basicAuthHook(credentials));
    await mountBullBoard(admin, deps.queues, [{ text: 'Withdrawals by status', url: '/admin/withdrawals' }]);
    await withdrawalsPage(admin, deps.store);
    refuseAllWrites(admin);
  });
}
