/** Route walks of health, metrics, the document, the admin pages and readiness (see walk.ts). */
import { expect } from 'vitest';
import { startPipeline } from '../../support/pipeline.ts';
import { call, paidWithdrawal } from './walk.ts';

export async function operationRoutes(): Promise<void> {
  expect((await call('GET', '/healthz', '/healthz')).status).toBe(200);
  expect((await call('GET', '/readyz', '/readyz')).status).toBe(200);
  expect((await call('GET', '/metrics', '/metrics')).text).toContain('withdrawals_in_status');
  expect((await call('GET', '/openapi.json', '/openapi.json')).body.openapi).toBe('3.1.0');
  expect((await call('GET', '/docs', '/docs')).status).toBe(200);
}

export async function adminRoutes(): Promise<void> {
  expect((await call('GET', '/admin/queues', '/admin/queues')).status).toBe(200);
  expect((await call('GET', '/admin/queues', '/admin/queues', { auth: 'none' })).status).toBe(401);
  expect((await call('GET', '/admin/withdrawals', '/admin/withdrawals?status=succeeded')).status).toBe(200);
  expect((await call('GET', '/admin/withdrawals', '/admin/withdrawals?limit=0')).status).toBe(400);
  expect((await call('GET', '/admin/withdrawals', '/admin/withdrawals', { auth: 'none' })).status).toBe(401);
  const any = await paidWithdrawal();
  expect((await call('GET', '/admin/withdrawals/{id}', `/admin/withdrawals/${any}`)).status).toBe(200);
  expect((await call('GET', '/admin/withdrawals/{id}', '/admin/withdrawals/no-such-id')).status).toBe(404);
  expect((await call('GET', '/admin/withdrawals/{id}', `/admin/withdrawals/${any}`, { auth: 'none' })).status).toBe(401);
}

export async function readyWithoutWorkers(): Promise<void> {
  // A pipeline of its own: this file's keeps its workers for the other scenarios.
  const q = await startPipeline();
  try {
    await q.workers?.close();
    expect((await call('GET', '/readyz', '/readyz', { base: q.baseUrl })).body).toEqual({
      ok: false,
      problems: ['workers not running'],
      error: { code: 'unavailable', message: 'not ready: workers not running', issues: [] },
    });
  } finally {
    await q.close();
  }
}
