import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callApi } from '../support/http.ts';
import { withdrawalBody } from '../support/invoices.ts';
import { eventually, OPERATOR_TOKEN, startPipeline, type Pipeline } from '../support/pipeline.ts';

/**
 * LIMIT_DAILY_AMOUNT_MSAT and LIMIT_DAILY_COUNT per producer and UTC day. Each test uses producers of
 * its own (tokens are configured for several), so their days do not mix.
 */
const AMOUNT = 1_000_000n;
const AMOUNT_LIMIT = 10n * AMOUNT + AMOUNT - 1n; // room for 10 withdrawals of AMOUNT, not 11
const COUNT_LIMIT = 12;
const PRODUCERS = ['p1', 'p2', 'p3', 'p4', 'p5', 'p6'] as const;
type Producer = (typeof PRODUCERS)[number];
const token = (name: Producer) => `${name}-limit-token-1`;

let p: Pipeline;
const as = (name: Producer) => (method: string, path: string, body?: unknown, headers?: Record<string, string>) =>
  callApi(p.baseUrl, token(name), method, path, body, headers);

beforeAll(async () => {
  p = await startPipeline({
    workers: false,
    env: {
      API_TOKENS: PRODUCERS.map((n) => `${n}=${token(n)}`).join(','),
      LIMIT_DAILY_AMOUNT_MSAT: String(AMOUNT_LIMIT),
      LIMIT_DAILY_COUNT: String(COUNT_LIMIT),
      METRICS_PRODUCER_LABELS: 'true',
    },
  });
});
afterAll(async () => p.close());

const body = (amount = AMOUNT) => withdrawalBody('turinpay', amount).body;

describe('daily limits per producer', () => {
  it('never overshoots the amount by one msat under 100 concurrent requests, and stores nothing past it', async () => {
    const call = as('p1');
    const bodies = Array.from({ length: 100 }, () => body());
    const answers = await Promise.all(bodies.map((b) => call('POST', '/v1/withdrawals', b)));
    const accepted = answers.filter((a) => a.status === 202);
    const refused = answers.filter((a) => a.status === 409);
    expect(accepted).toHaveLength(10);
    expect(refused).toHaveLength(90);
    for (const r of refused) expect(r.body.error.code).toBe('limit_exceeded');
    expect(refused[0]?.body.error.message).toMatch(/999999 msat of 10999999 left/);
    const refusedIds = bodies.filter((_, i) => answers[i]?.status === 409).map((b) => b.id);
    for (const id of refusedIds.slice(0, 10)) expect((await p.operator('GET', `/v1/withdrawals/${id}`)).status).toBe(404);
    const limits = (await call('GET', '/v1/limits')).body;
    expect(limits).toMatchObject({ producer: 'p1', amountMsat: { limit: String(AMOUNT_LIMIT), used: String(10n * AMOUNT), left: String(AMOUNT - 1n) } });
    expect(limits.count).toEqual({ limit: COUNT_LIMIT, used: 10, left: COUNT_LIMIT - 10 });
    const metrics = await (await fetch(`${p.baseUrl}/metrics`)).text();
    expect(metrics).toContain(`withdrawals_daily_amount_msat{producer="p1",kind="used"} ${10n * AMOUNT}`);
    expect(metrics).toContain(`withdrawals_daily_amount_msat{producer="p1",kind="left"} ${AMOUNT - 1n}`);
    expect(metrics).toContain(`withdrawals_daily_withdrawals{producer="p1",kind="left"} ${COUNT_LIMIT - 10}`);
  });

  it('counts withdrawals too, and keeps each producer to its own day', async () => {
    const call = as('p2');
    for (let i = 0; i < COUNT_LIMIT; i++) expect((await call('POST', '/v1/withdrawals', body(1000n))).status).toBe(202);
    const over = await call('POST', '/v1/withdrawals', body(1000n));
    expect(over.status).toBe(409);
    expect(over.body.error.code).toBe('limit_exceeded');
    expect(over.body.error.message).toMatch(/0 of 12 withdrawals left/);
    expect((await as('p3')('POST', '/v1/withdrawals', body(1000n))).status).toBe(202);
  });

  it('rejects exactly the batch items past the limit and accepts the rest, in order', async () => {
    const items = Array.from({ length: 14 }, () => body());
    const res = await as('p4')('POST', '/v1/batches', { id: `limited-${randomUUID()}`, items });
    expect(res.status).toBe(202);
    expect(res.body.accepted).toBe(10);
    expect(res.body.rejected.map((r: { index: number }) => r.index)).toEqual([10, 11, 12, 13]);
    for (const r of res.body.rejected) expect(r.error.code).toBe('limit_exceeded');
  });

  it('gives the amount of a cancelled withdrawal back to the day', async () => {
    const call = as('p5');
    const bodies = Array.from({ length: 10 }, () => body());
    for (const b of bodies) expect((await call('POST', '/v1/withdrawals', b)).status).toBe(202);
    expect((await call('POST', '/v1/withdrawals', body())).status).toBe(409);
    expect((await call('POST', `/v1/withdrawals/${bodies[0]?.id}/cancel`, {})).status).toBe(200);
    expect((await call('GET', '/v1/limits')).body.amountMsat.used).toBe(String(9n * AMOUNT));
    expect((await call('POST', '/v1/withdrawals', body())).status).toBe(202);
  });

  it('shows a producer its own limits alone; an operator any producer', async () => {
    expect((await as('p6')('GET', '/v1/limits?producer=p1')).status).toBe(403);
    const seen = await callApi(p.baseUrl, OPERATOR_TOKEN, 'GET', '/v1/limits?producer=p1');
    expect(seen.status).toBe(200);
    expect(seen.body.producer).toBe('p1');
    expect((await as('p6')('GET', '/v1/limits?producer=bad%20name')).status).toBe(400);
    const own = await eventually(async () => (await as('p6')('GET', '/v1/limits')).body);
    expect(own).toMatchObject({ producer: 'p6', amountMsat: { used: '0' }, count: { used: 0 } });
  });
});
