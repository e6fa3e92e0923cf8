import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKeys } from '../../src/keys.ts';
import { closeRedis, createRedis } from '../../src/redis.ts';
import { callApi } from '../support/http.ts';
import { withdrawalBody } from '../support/invoices.ts';
import { eventually, startPipeline, TEST_TOKEN, type Pipeline } from '../support/pipeline.ts';

/** Two producers (`tester`, `rival`), the operator `ops` and the producer `default` (a bare token). */
const RIVAL_TOKEN = 'rival-token-0001';
const DEFAULT_TOKEN = 'default-token-0001';

let p: Pipeline;
const rival = (method: string, path: string, body?: unknown) => callApi(p.baseUrl, RIVAL_TOKEN, method, path, body);
const asDefault = (method: string, path: string, body?: unknown) => callApi(p.baseUrl, DEFAULT_TOKEN, method, path, body);

beforeAll(async () => {
  p = await startPipeline({
    workers: false,
    env: { API_TOKENS: `tester=${TEST_TOKEN},rival=${RIVAL_TOKEN},${DEFAULT_TOKEN}`, ALLOW_ONCHAIN: 'true' },
  });
});
afterAll(async () => p.close());

async function created(provider: 'aurpay' | 'turinpay' = 'turinpay') {
  const { body } = withdrawalBody(provider);
  const res = await p.call('POST', '/v1/withdrawals', body);
  expect(res.status).toBe(202);
  return { body, record: res.body };
}

describe('withdrawals belong to the producer that created them', () => {
  it('records the owner, and shows it to the owner and to operators', async () => {
    const { body, record } = await created();
    expect(record.owner).toBe('tester');
    expect((await p.call('GET', `/v1/withdrawals/${body.id}`)).body.owner).toBe('tester');
    const seen = await p.operator('GET', `/v1/withdrawals/${body.id}`);
    expect(seen.status).toBe(200);
    expect(seen.body.owner).toBe('tester');
  });

  it("answers another producer's read and cancel exactly as for an id that does not exist", async () => {
    const { body } = await created();
    const read = await rival('GET', `/v1/withdrawals/${body.id}`);
    const missing = await rival('GET', '/v1/withdrawals/no-such-id');
    expect(read.status).toBe(404);
    expect(read.body).toEqual({ error: { code: 'not_found', message: `no withdrawal ${body.id}`, issues: [] } });
    expect(missing.body).toEqual({ error: { code: 'not_found', message: 'no withdrawal no-such-id', issues: [] } });
    expect(missing.body.error.message).toBe('no withdrawal no-such-id');
    const cancel = await rival('POST', `/v1/withdrawals/${body.id}/cancel`, {});
    expect(cancel.status).toBe(404);
    expect((await p.call('GET', `/v1/withdrawals/${body.id}`)).body.status).toBe('queued');
  });

  it("refuses another producer's id with 409 and nothing of the record, even with the very same body", async () => {
    const { body } = await created();
    const same = await rival('POST', '/v1/withdrawals', body);
    expect(same.status).toBe(409);
    expect(same.body.error.code).toBe('idempotency_conflict');
    const text = JSON.stringify(same.body);
    expect(text).not.toContain(body.invoice);
    expect(text).not.toContain('tester');
    expect(Object.keys(same.body)).toEqual(['error']);
    // The owner's own replay still answers 200 with its record.
    expect((await p.call('POST', '/v1/withdrawals', body)).status).toBe(200);
  });

  it("does not name another producer's withdrawal when its invoice is reused", async () => {
    const { body } = await created();
    const reuse = await rival('POST', '/v1/withdrawals', { ...body, id: `${body.id}-again` });
    expect(reuse.status).toBe(409);
    expect(reuse.body.error.code).toBe('invoice_already_used');
    expect(reuse.body.error.message).not.toContain(body.id);
    const own = await p.call('POST', '/v1/withdrawals', { ...body, id: `${body.id}-mine` });
    expect(own.body.error.message).toContain(body.id);
  });

  it('lets a producer cancel its own withdrawal, recording who did', async () => {
    const { body } = await created();
    const res = await p.call('POST', `/v1/withdrawals/${body.id}/cancel`, { note: 'payee left' });
    expect(res.status).toBe(200);
    expect(res.body.history.at(-1)).toMatchObject({ status: 'cancelled', actor: 'tester', cause: 'cancelled by producer', note: 'payee left' });
  });

  it('lets an operator cancel any withdrawal', async () => {
    const { body } = await created();
    const res = await p.operator('POST', `/v1/withdrawals/${body.id}/cancel`, {});
    expect(res.status).toBe(200);
    expect(res.body.history.at(-1)).toMatchObject({ status: 'cancelled', actor: 'ops', cause: 'cancelled by operator' });
  });

  it('gives records written before owners existed to default: operators and the default producer read them', async () => {
    const { body } = await created();
    // As a record stored before owners existed looks: no owner field.
    const redis = createRedis(p.config.REDIS_URL, { role: 'worker', connectionName: 'test-ownership' });
    try {
      await redis.hdel(createKeys(p.config.QUEUE_PREFIX).record(body.id), 'owner');
    } finally {
      await closeRedis(redis);
    }
    expect((await p.call('GET', `/v1/withdrawals/${body.id}`)).status).toBe(404);
    expect((await p.operator('GET', `/v1/withdrawals/${body.id}`)).body.owner).toBe('default');
    expect((await asDefault('GET', `/v1/withdrawals/${body.id}`)).body.owner).toBe('default');
  });
});

describe('operators only', () => {
  it('refuses resolve and approve to producers with 403, for their own withdrawals and for ids that do not exist', async () => {
    const { body } = await created();
    for (const path of [`/v1/withdrawals/${body.id}/resolve`, '/v1/withdrawals/nothing-here/resolve']) {
      const res = await p.call('POST', path, { outcome: 'succeeded', note: 'paid, trust me' });
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('forbidden');
    }
    const approve = await p.call('POST', `/v1/withdrawals/${body.id}/approve`, { note: 'fine' });
    expect(approve.status).toBe(403);
    expect(approve.body.error.code).toBe('forbidden');
    const after = (await p.call('GET', `/v1/withdrawals/${body.id}`)).body;
    expect(after.status).toBe('queued');
    expect(after.history).toHaveLength(1);
  });

  it('lets an operator try them: resolve and approve answer by status', async () => {
    const { body } = await created();
    const resolve = await p.operator('POST', `/v1/withdrawals/${body.id}/resolve`, { outcome: 'failed', note: 'x' });
    expect(resolve.status).toBe(409);
    expect(resolve.body.error.code).toBe('invalid_state');
    const approve = await p.operator('POST', `/v1/withdrawals/${body.id}/approve`, {});
    expect(approve.status).toBe(409);
    expect(approve.body.error.code).toBe('invalid_state');
    expect((await p.operator('POST', '/v1/withdrawals/nothing-here/approve', {})).status).toBe(404);
  });

  it('refuses on-chain withdrawals to producers with 403 and stores nothing; operators make them and own them', async () => {
    const address = 'bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080';
    const id = `onchain-${Date.now()}`;
    const refused = await p.call('POST', '/v1/withdrawals', { id, provider: 'turinpay', address });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('forbidden');
    expect((await p.operator('GET', `/v1/withdrawals/${id}`)).status).toBe(404);
    const batch = await p.call('POST', '/v1/batches', { items: [{ id: `${id}-b`, provider: 'turinpay', address }] });
    expect(batch.body.rejected).toEqual([{ index: 0, id: `${id}-b`, error: expect.objectContaining({ code: 'forbidden' }) }]);
    const made = await p.operator('POST', '/v1/withdrawals', { id, provider: 'turinpay', address });
    expect(made.status).toBe(202);
    expect(made.body.owner).toBe('ops');
    expect((await p.call('GET', `/v1/withdrawals/${id}`)).status).toBe(404);
  });
});

describe('batches belong to their producer', () => {
  it("answers another producer's batch as missing, and refuses its id for a new batch", async () => {
    const batchId = `owned-batch-${Date.now()}`;
    const { body } = withdrawalBody('turinpay');
    expect((await p.call('POST', '/v1/batches', { id: batchId, items: [body] })).status).toBe(202);
    expect((await p.call('GET', `/v1/batches/${batchId}`)).body.total).toBe(1);
    expect((await rival('GET', `/v1/batches/${batchId}`)).status).toBe(404);
    expect((await p.operator('GET', `/v1/batches/${batchId}`)).status).toBe(200);
    const taken = await rival('POST', '/v1/batches', { id: batchId, items: [withdrawalBody('turinpay').body] });
    expect(taken.status).toBe(409);
    expect(taken.body.error.code).toBe('idempotency_conflict');
    const streamed = await callApi(p.baseUrl, RIVAL_TOKEN, 'POST', `/v1/batches?id=${batchId}`, `${JSON.stringify(withdrawalBody('turinpay').body)}\n`, {
      'content-type': 'application/x-ndjson',
    });
    expect(streamed.status).toBe(409);
    expect((await p.call('GET', `/v1/batches/${batchId}`)).body.total).toBe(1);
  });
});

describe('the event stream is per producer', () => {
  it("shows a producer its own events alone, and operators everyone's", async () => {
    const mine = await created();
    const { body: theirs } = withdrawalBody('aurpay');
    expect((await rival('POST', '/v1/withdrawals', theirs)).status).toBe(202);
    const ids = (page: { events: { data: { id?: string } }[] }) => page.events.map((e) => e.data.id);
    const read = async (call: typeof rival) => {
      const all: string[] = [];
      let after: string | undefined;
      for (let i = 0; i < 50; i++) {
        const page = (await call('GET', `/v1/events?limit=1000${after ? `&after=${after}` : ''}`)).body;
        all.push(...(ids(page) as string[]));
        if (page.events.length === 0) break;
        after = page.next;
      }
      return all;
    };
    const testerSees = await read(p.call);
    const rivalSees = await read(rival);
    const opsSees = await read(p.operator);
    expect(testerSees).toContain(mine.body.id);
    expect(testerSees).not.toContain(theirs.id);
    expect(rivalSees).toEqual([theirs.id]);
    expect(opsSees).toEqual(expect.arrayContaining([mine.body.id, theirs.id]));
  });

  it("keeps a producer's cursor where its own events are, whatever other producers write", async () => {
    await created();
    const newestOf = async (call: typeof rival) => {
      let after = '';
      for (;;) {
        const page = (await call('GET', `/v1/events?limit=1000${after ? `&after=${after}` : ''}`)).body;
        if (page.events.length === 0) return after;
        after = page.next;
      }
    };
    const mark = await newestOf(p.call);
    for (let i = 0; i < 3; i++) expect((await rival('POST', '/v1/withdrawals', withdrawalBody('aurpay').body)).status).toBe(202);
    const page = (await p.call('GET', `/v1/events?limit=10&after=${mark}`)).body;
    // Nothing of the rival's: no event, and a cursor that has not moved (it tells nothing of them).
    expect(page).toEqual({ events: [], next: mark });
    expect(await newestOf(p.operator)).not.toBe(mark);
    // The producer's own next event comes right after its cursor.
    const mine = withdrawalBody('aurpay').body;
    expect((await p.call('POST', '/v1/withdrawals', mine)).status).toBe(202);
    const next = (await p.call('GET', `/v1/events?limit=10&after=${mark}`)).body;
    expect(next.events.map((e: { data: { id: string } }) => e.data.id)).toEqual([mine.id]);
  });
});
