/** Route walks of withdrawals, operators' actions, limits and batches (see walk.ts). */
import { expect } from 'vitest';
import { eventually } from '../../support/pipeline.ts';
import { withdrawalBody } from '../../support/invoices.ts';
import { bodyRouteErrors, call, h, oversizedCsv, paidWithdrawal, statusOf, verify } from './walk.ts';

export async function withdrawalRoutes(): Promise<void> {
  const { body } = withdrawalBody('turinpay', 36_000n, { description: 'weekly payout', metadata: { userId: 'u-42' } });
  expect((await call('POST', '/v1/withdrawals', '/v1/withdrawals', { body })).status).toBe(202);
  expect((await call('POST', '/v1/withdrawals', '/v1/withdrawals', { body })).status).toBe(200);
  const conflict = await call('POST', '/v1/withdrawals', '/v1/withdrawals', { body: { ...body, description: 'other' } });
  expect(conflict.body.error.code).toBe('idempotency_conflict');
  const reused = await call('POST', '/v1/withdrawals', '/v1/withdrawals', { body: { ...body, id: `${body.id}-again` } });
  expect(reused.body.error.code).toBe('invoice_already_used');
  const invalid = await call('POST', '/v1/withdrawals', '/v1/withdrawals', { body: { ...body, provider: 'paypal' } });
  expect(invalid.status).toBe(400);
  const onchain = { id: `${body.id}-onchain`, provider: 'turinpay', address: 'bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080' };
  expect((await call('POST', '/v1/withdrawals', '/v1/withdrawals', { body: onchain })).status).toBe(403);
  await bodyRouteErrors('POST', '/v1/withdrawals', '/v1/withdrawals');

  const done = await statusOf(body.id, 'succeeded');
  expect(done.feeMsat).not.toBeNull();
  expect((await call('GET', '/v1/withdrawals/{id}', '/v1/withdrawals/no-such-id')).status).toBe(404);
  expect((await call('GET', '/v1/withdrawals/{id}', `/v1/withdrawals/${body.id}`, { auth: 'wrong' })).status).toBe(401);
  expect((await call('GET', '/v1/withdrawals/{id}', `/v1/withdrawals/${body.id}`, { auth: 'none' })).status).toBe(401);
}

export async function cancelAndResolve(): Promise<void> {
  await h.p.runtime.queues.submitQueue('aurpay').pause();
  const cancel = withdrawalBody('aurpay').body;
  const review = withdrawalBody('aurpay').body;
  for (const body of [cancel, review]) expect((await call('POST', '/v1/withdrawals', '/v1/withdrawals', { body })).status).toBe(202);

  const cancelPath = '/v1/withdrawals/{id}/cancel';
  expect((await call('POST', cancelPath, `/v1/withdrawals/${cancel.id}/cancel`, { body: { reason: 'x' } })).status).toBe(400);
  const cancelled = await call('POST', cancelPath, `/v1/withdrawals/${cancel.id}/cancel`, { body: { note: 'payee asked to stop' } });
  expect(cancelled.body.status).toBe('cancelled');
  expect((await call('POST', cancelPath, `/v1/withdrawals/${cancel.id}/cancel`)).status).toBe(409);
  expect((await call('POST', cancelPath, '/v1/withdrawals/no-such-id/cancel')).status).toBe(404);
  await bodyRouteErrors('POST', cancelPath, `/v1/withdrawals/${cancel.id}/cancel`);

  // A needs_review record whose payment provably never left, set through the store (as test/integration/operator.test.ts).
  const store = h.p.runtime.store;
  expect((await store.transition(review.id, { from: 'queued', to: 'submitting', newFence: 'openapi-fence', cause: 'test' })).ok).toBe(true);
  expect((await store.transition(review.id, { from: 'submitting', to: 'unknown', fence: 'openapi-fence', cause: 'test: lost' })).ok).toBe(true);
  expect((await store.transition(review.id, { from: 'unknown', to: 'needs_review', cause: 'test: budget spent' })).ok).toBe(true);
  await h.p.runtime.queues.submitQueue('aurpay').resume();

  const resolvePath = '/v1/withdrawals/{id}/resolve';
  const ops = 'operator';
  expect((await call('POST', resolvePath, `/v1/withdrawals/${review.id}/resolve`, { body: { outcome: 'failed', note: 'x' } })).status).toBe(403);
  expect((await call('POST', resolvePath, `/v1/withdrawals/${review.id}/resolve`, { body: { outcome: 'failed' }, auth: ops })).status).toBe(400);
  const resolved = await call('POST', resolvePath, `/v1/withdrawals/${review.id}/resolve`, { body: { outcome: 'failed', note: 'never sent' }, auth: ops });
  expect(resolved.status).toBe(200);
  expect(resolved.body.history.at(-1)).toMatchObject({ status: 'failed', actor: 'ops', note: 'never sent' });
  expect((await call('POST', resolvePath, `/v1/withdrawals/${review.id}/resolve`, { body: { outcome: 'failed', note: 'again' }, auth: ops })).status).toBe(409);
  expect((await call('POST', resolvePath, '/v1/withdrawals/no-such-id/resolve', { body: { outcome: 'failed', note: 'x' }, auth: ops })).status).toBe(404);
  await bodyRouteErrors('POST', resolvePath, `/v1/withdrawals/${review.id}/resolve`, ops);

  const approvePath = '/v1/withdrawals/{id}/approve';
  expect((await call('POST', approvePath, `/v1/withdrawals/${review.id}/approve`, { body: {} })).status).toBe(403);
  expect((await call('POST', approvePath, `/v1/withdrawals/${review.id}/approve`, { body: { why: 'x' }, auth: ops })).status).toBe(400);
  expect((await call('POST', approvePath, `/v1/withdrawals/${review.id}/approve`, { body: { note: 'ok' }, auth: ops })).status).toBe(409);
  expect((await call('POST', approvePath, '/v1/withdrawals/no-such-id/approve', { body: {}, auth: ops })).status).toBe(404);
  await bodyRouteErrors('POST', approvePath, `/v1/withdrawals/${review.id}/approve`, ops);
  const large = withdrawalBody('turinpay', 1_000_000_000n).body;
  const heldBack = await call('POST', '/v1/withdrawals', '/v1/withdrawals', { body: large });
  expect(heldBack.body.status).toBe('awaiting_approval');
  // Held while the answer is read: a running worker could otherwise fence the approved withdrawal first.
  await h.p.runtime.queues.submitQueue('turinpay').pause();
  const approved = await call('POST', approvePath, `/v1/withdrawals/${large.id}/approve`, { body: { note: 'checked' }, auth: ops });
  await h.p.runtime.queues.submitQueue('turinpay').resume();
  expect(approved.status).toBe(200);
  expect(approved.body.status).toBe('queued');
}

export async function limitRoutes(): Promise<void> {
  const own = await call('GET', '/v1/limits', '/v1/limits');
  expect(own.body.producer).toBe('tester');
  expect((await call('GET', '/v1/limits', '/v1/limits?producer=tester', { auth: 'operator' })).body.producer).toBe('tester');
  expect((await call('GET', '/v1/limits', '/v1/limits?producer=someone-else')).status).toBe(403);
  expect((await call('GET', '/v1/limits', '/v1/limits?producer=a%20b', { auth: 'operator' })).status).toBe(400);
  expect((await call('GET', '/v1/limits', '/v1/limits', { auth: 'wrong' })).status).toBe(401);
}

export async function batchRoutes(): Promise<void> {
  const a = withdrawalBody('turinpay').body;
  const b = withdrawalBody('aurpay').body;
  const c = withdrawalBody('turinpay').body;
  const batchId = `openapi-batch-${Date.now()}`;
  const json = await call('POST', '/v1/batches', '/v1/batches', { body: { id: batchId, items: [a, { id: 'bad item', provider: 'aurpay' }] } });
  expect(json.status).toBe(202);
  expect(json.body).toMatchObject({ batchId, accepted: 1 });
  expect(json.body.rejected).toHaveLength(1);
  const ndjson = await call('POST', '/v1/batches', `/v1/batches?id=${batchId}-nd`, { body: `${JSON.stringify(b)}\n`, type: 'application/x-ndjson' });
  expect(ndjson.body).toMatchObject({ batchId: `${batchId}-nd`, accepted: 1 });
  const csv = `id,provider,invoice,address,amountMsat,description\n${c.id},turinpay,${c.invoice},,,csv item\n`;
  expect((await call('POST', '/v1/batches', `/v1/batches?id=${batchId}-csv`, { body: csv, type: 'text/csv' })).body.accepted).toBe(1);

  expect((await call('POST', '/v1/batches', '/v1/batches', { body: { items: [] } })).status).toBe(400);
  expect((await call('POST', '/v1/batches', '/v1/batches', { body: { items: [a] }, auth: 'wrong' })).status).toBe(401);
  expect((await call('POST', '/v1/batches', '/v1/batches', { body: '<batch/>', type: 'application/xml' })).status).toBe(415);
  expect(verify('POST', '/v1/batches', await oversizedCsv()).status).toBe(413);

  const summary = await eventually(async () => {
    const res = await call('GET', '/v1/batches/{id}', `/v1/batches/${batchId}`);
    return res.body.done ? res.body : undefined;
  }, 20_000, 'the batch to be done');
  expect(summary).toMatchObject({ batchId, total: 1, byStatus: { succeeded: 1 } });
  expect((await call('GET', '/v1/batches/{id}', '/v1/batches/no-such-batch')).status).toBe(404);
  expect((await call('GET', '/v1/batches/{id}', `/v1/batches/${batchId}`, { auth: 'wrong' })).status).toBe(401);
}

export async function listRoutes(): Promise<void> {
  const id = await paidWithdrawal();
  const mine = await call('GET', '/v1/withdrawals', '/v1/withdrawals?status=succeeded&limit=1000');
  expect(mine.status).toBe(200);
  expect(mine.body.withdrawals.map((w: { id: string }) => w.id)).toContain(id);
  const batchId = `openapi-list-${id.slice(-8)}`;
  const items = [withdrawalBody('aurpay').body, withdrawalBody('turinpay').body];
  expect((await call('POST', '/v1/batches', '/v1/batches', { body: { id: batchId, items } })).status).toBe(202);
  const page = await call('GET', '/v1/withdrawals', `/v1/withdrawals?batchId=${batchId}&limit=1`);
  expect(page.body.withdrawals).toHaveLength(1);
  expect(page.body.next).not.toBeNull();
  expect((await call('GET', '/v1/withdrawals', `/v1/withdrawals?batchId=${batchId}&cursor=${page.body.next}`)).status).toBe(200);
  expect((await call('GET', '/v1/withdrawals', '/v1/withdrawals?producer=tester', { auth: 'operator' })).status).toBe(200);
  expect((await call('GET', '/v1/withdrawals', '/v1/withdrawals?status=paid')).status).toBe(400);
  expect((await call('GET', '/v1/withdrawals', '/v1/withdrawals?cursor=bm9wZQ')).status).toBe(400);
  expect((await call('GET', '/v1/withdrawals', '/v1/withdrawals?producer=someone-else')).status).toBe(403);
  expect((await call('GET', '/v1/withdrawals', '/v1/withdrawals', { auth: 'wrong' })).status).toBe(401);
}
