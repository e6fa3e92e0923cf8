import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callApi } from '../support/http.ts';
import { withdrawalBody } from '../support/invoices.ts';
import { startPipeline, type Pipeline } from '../support/pipeline.ts';

/**
 * QUOTA_DAILY_CREATED per producer and UTC day: every withdrawal created counts, cancelled ones
 * included, and nothing is given back, unlike LIMIT_DAILY_COUNT. Each test has producers of its own.
 */
const QUOTA = 5;
const PRODUCERS = ['q1', 'q2', 'q3', 'q4'] as const;
type Producer = (typeof PRODUCERS)[number];
const token = (name: Producer) => `${name}-quota-token-01`;

let p: Pipeline;
const as = (name: Producer) => (method: string, path: string, body?: unknown) => callApi(p.baseUrl, token(name), method, path, body);

beforeAll(async () => {
  p = await startPipeline({
    workers: false,
    env: { API_TOKENS: PRODUCERS.map((n) => `${n}=${token(n)}`).join(','), QUOTA_DAILY_CREATED: String(QUOTA), LIMIT_DAILY_COUNT: '2' },
  });
});
afterAll(async () => p.close());

const body = () => withdrawalBody('turinpay', 1000n).body;

describe('QUOTA_DAILY_CREATED', () => {
  it('stops create/cancel cycles that LIMIT_DAILY_COUNT lets through, with 409 limit_exceeded, storing nothing', async () => {
    const call = as('q1');
    const created: Array<ReturnType<typeof body>> = [];
    for (let i = 0; i < QUOTA; i++) {
      const b = body();
      expect((await call('POST', '/v1/withdrawals', b)).status).toBe(202);
      expect((await call('POST', `/v1/withdrawals/${b.id}/cancel`, {})).body.status).toBe('cancelled');
      created.push(b);
    }
    // LIMIT_DAILY_COUNT (2) got every cancelled one back: only the quota stops the next.
    expect((await call('GET', '/v1/limits')).body.count).toMatchObject({ used: 0, left: 2 });
    const next = body();
    const refused = await call('POST', '/v1/withdrawals', next);
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('limit_exceeded');
    expect(refused.body.error.message).toContain('QUOTA_DAILY_CREATED');
    expect((await p.operator('GET', `/v1/withdrawals/${next.id}`)).status).toBe(404);
    // A replay is no new withdrawal: it still answers, and another producer has its own quota.
    expect((await call('POST', '/v1/withdrawals', created[0])).status).toBe(200);
    expect((await as('q2')('POST', '/v1/withdrawals', body())).status).toBe(202);
  });

  it('never lets concurrent requests past it, and refused requests do not count', async () => {
    const call = as('q3');
    expect((await call('POST', '/v1/withdrawals', { ...body(), invoice: 'lnbcrt1-not-an-invoice' })).status).toBe(400);
    const answers = await Promise.all(Array.from({ length: 20 }, () => call('POST', '/v1/withdrawals', body())));
    // LIMIT_DAILY_COUNT is 2: cancel as they come would race; count what the quota alone decides.
    const accepted = answers.filter((a) => a.status === 202);
    expect(accepted).toHaveLength(2);
    for (const a of accepted) expect((await call('POST', `/v1/withdrawals/${a.body.id}/cancel`, {})).status).toBe(200);
    const more = await Promise.all(Array.from({ length: 20 }, () => call('POST', '/v1/withdrawals', body())));
    expect(more.filter((a) => a.status === 202)).toHaveLength(2);
    for (const a of more.filter((x) => x.status === 202)) expect((await call('POST', `/v1/withdrawals/${a.body.id}/cancel`, {})).status).toBe(200);
    // 4 created so far: one more, then none, whatever the daily count says.
    const last = await Promise.all(Array.from({ length: 20 }, () => call('POST', '/v1/withdrawals', body())));
    expect(last.filter((a) => a.status === 202)).toHaveLength(1);
    for (const a of last.filter((x) => x.status !== 202)) expect(a.body.error.code).toBe('limit_exceeded');
  });

  it('rejects the batch items past it alone, accepting the ones before', async () => {
    const call = as('q4');
    /** Sends a batch, cancels what it accepted (giving LIMIT_DAILY_COUNT back), and answers the batch's answer. */
    async function cycle(n: number) {
      const items = Array.from({ length: n }, body);
      const res = await call('POST', '/v1/batches', { items });
      expect(res.status).toBe(202);
      const rejected = new Set((res.body.rejected as Array<{ index: number }>).map((r) => r.index));
      for (const [i, item] of items.entries()) {
        if (!rejected.has(i)) expect((await call('POST', `/v1/withdrawals/${item.id}/cancel`, {})).status).toBe(200);
      }
      return res.body as { accepted: number; rejected: Array<{ index: number; error: { code: string; message: string } }> };
    }
    // LIMIT_DAILY_COUNT (2) refuses the items past it, and gives them back once cancelled.
    expect((await cycle(3)).accepted).toBe(2);
    expect((await cycle(3)).accepted).toBe(2);
    // 4 created: one more, then the quota refuses the rest of the batch, item by item.
    const last = await cycle(3);
    expect(last.accepted).toBe(1);
    expect(last.rejected.map((r) => [r.index, r.error.code, r.error.message.includes('QUOTA_DAILY_CREATED')])).toEqual([
      [1, 'limit_exceeded', true],
      [2, 'limit_exceeded', true],
    ]);
  });
});
