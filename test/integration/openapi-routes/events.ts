/** Route walks of the event stream and webhooks, and the deliveries against the documented webhook (see walk.ts). */
import { Webhook } from 'standardwebhooks';
import { expect } from 'vitest';
import { eventually } from '../../support/pipeline.ts';
import { assertMatches, bodyRouteErrors, call, doneBatch, h, paidWithdrawal, WEBHOOK_SECRET, type Json } from './walk.ts';

export async function eventRoutes(): Promise<void> {
  await doneBatch();
  const page = await call('GET', '/v1/events', '/v1/events?limit=1000');
  expect(page.status).toBe(200);
  const types = new Set(page.body.events.map((e: Json) => e.type));
  expect(types).toContain('withdrawal.succeeded');
  expect(types).toContain('batch.done');
  expect((await call('GET', '/v1/events', '/v1/events?after=1-0')).status).toBe(400);
  expect((await call('GET', '/v1/events', '/v1/events?limit=0')).status).toBe(400);
  expect((await call('GET', '/v1/events', '/v1/events', { auth: 'wrong' })).status).toBe(401);
}

export async function webhookRoutes(): Promise<void> {
  // Same receiver and secret as the configured endpoint, so every delivery can be verified alike.
  const registration = { url: `${h.receiverUrl}/api`, events: ['withdrawal.succeeded'], secret: WEBHOOK_SECRET };
  const created = await call('POST', '/v1/webhooks', '/v1/webhooks', { body: registration });
  expect(created.status).toBe(201);
  expect(created.body.secret).toBe(WEBHOOK_SECRET);
  const id: string = created.body.id;
  // Events of `tester` to replay, a withdrawal.succeeded among them.
  await paidWithdrawal();
  expect((await call('POST', '/v1/webhooks', '/v1/webhooks', { body: { url: 'ftp://payouts.example.com/' } })).status).toBe(400);
  await bodyRouteErrors('POST', '/v1/webhooks', '/v1/webhooks');
  // WEBHOOK_MAX_ENDPOINTS=2: the second fits, the third is refused.
  const second = await call('POST', '/v1/webhooks', '/v1/webhooks', { body: { url: 'https://payouts.example.com/second' } });
  expect(second.status).toBe(201);
  const third = await call('POST', '/v1/webhooks', '/v1/webhooks', { body: { url: 'https://payouts.example.com/third' } });
  expect(third.status).toBe(400);
  expect(third.body.error.message).toMatch(/at most 2 webhook endpoints/);
  expect((await call('DELETE', '/v1/webhooks/{id}', `/v1/webhooks/${second.body.id}`)).status).toBe(204);

  const list = await call('GET', '/v1/webhooks', '/v1/webhooks');
  expect(list.body.webhooks.map((w: Json) => w.source)).toEqual(['api']);
  const all = await call('GET', '/v1/webhooks', '/v1/webhooks', { auth: 'operator' });
  expect(all.body.webhooks.map((w: Json) => w.source).sort()).toEqual(['api', 'config']);
  expect((await call('GET', '/v1/webhooks', '/v1/webhooks', { auth: 'wrong' })).status).toBe(401);
  expect((await call('GET', '/v1/webhooks/{id}', `/v1/webhooks/${id}`)).body.id).toBe(id);
  expect((await call('GET', '/v1/webhooks/{id}', '/v1/webhooks/wh_nope')).status).toBe(404);
  expect((await call('GET', '/v1/webhooks/{id}', `/v1/webhooks/${id}`, { auth: 'wrong' })).status).toBe(401);

  const replayPath = '/v1/webhooks/{id}/replay';
  const first = (await call('GET', '/v1/events', '/v1/events?limit=1')).body.events[0];
  expect((await call('POST', replayPath, `/v1/webhooks/${id}/replay`, { body: { eventId: first.id } })).status).toBe(202);
  const range = await call('POST', replayPath, `/v1/webhooks/${id}/replay`, { body: { after: first.id } });
  expect(range.body.replayed).toBeGreaterThanOrEqual(1);
  expect((await call('POST', replayPath, `/v1/webhooks/${id}/replay`, { body: { eventId: 'evt_00000000000010000000000000' } })).status).toBe(404);
  expect((await call('POST', replayPath, '/v1/webhooks/wh_nope/replay', { body: { eventId: first.id } })).status).toBe(404);
  expect((await call('POST', replayPath, `/v1/webhooks/${id}/replay`, { body: { eventId: 'latest' } })).status).toBe(400);
  await bodyRouteErrors('POST', replayPath, `/v1/webhooks/${id}/replay`);

  expect((await call('DELETE', '/v1/webhooks/{id}', `/v1/webhooks/${id}`)).status).toBe(204);
  expect((await call('DELETE', '/v1/webhooks/{id}', `/v1/webhooks/${id}`)).status).toBe(404);
  expect((await call('DELETE', '/v1/webhooks/{id}', '/v1/webhooks/wh_config')).status).toBe(404);
  expect((await call('DELETE', '/v1/webhooks/{id}', '/v1/webhooks/wh_config', { auth: 'operator' })).status).toBe(409);
  expect((await call('DELETE', '/v1/webhooks/{id}', '/v1/webhooks/wh_config', { auth: 'wrong' })).status).toBe(401);
}

export async function webhookDeliveries(): Promise<void> {
  const batchId = await doneBatch();
  await eventually(async () => (h.deliveries.some((d) => d.body.includes('"batch.done"') && d.body.includes(`"${batchId}"`)) ? true : undefined), 20_000, 'its batch.done delivery');
  const verifier = new Webhook(WEBHOOK_SECRET);
  const op: Json = (h.doc.webhooks as Json).event.post;
  const headerNames = op.parameters.filter((x: Json) => x.in === 'header' && x.required).map((x: Json) => x.name);
  for (const d of h.deliveries) {
    for (const h of headerNames) expect(d.headers[h], h).not.toBe('');
    verifier.verify(d.body, d.headers);
    assertMatches(['webhooks', 'event', 'post', 'requestBody', 'content', 'application/json', 'schema'], JSON.parse(d.body), 'webhook delivery');
  }
}
