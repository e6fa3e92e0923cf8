/**
 * GET /v1/withdrawals: a producer lists its own withdrawals alone, newest first, without histories;
 * an operator lists everyone's or one producer's; bad parameters answer 400 with the error body.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callApi } from '../support/http.ts';
import { withdrawalBody } from '../support/invoices.ts';
import { startPipeline, TEST_TOKEN, type Pipeline } from '../support/pipeline.ts';

const RIVAL_TOKEN = 'rival-token-0001';
let p: Pipeline;
const rival = (method: string, path: string, body?: unknown) => callApi(p.baseUrl, RIVAL_TOKEN, method, path, body);

beforeAll(async () => {
  p = await startPipeline({ workers: false, env: { API_TOKENS: `tester=${TEST_TOKEN},rival=${RIVAL_TOKEN}` } });
});
afterAll(async () => p.close());

const idsOf = (body: { withdrawals: { id: string }[] }) => body.withdrawals.map((w) => w.id);

describe('GET /v1/withdrawals', () => {
  it("answers a producer's own withdrawals newest first, an operator's everyone's or one producer's", async () => {
    const mine: string[] = [];
    for (let i = 0; i < 3; i++) {
      const { body } = withdrawalBody('turinpay');
      expect((await p.call('POST', '/v1/withdrawals', body)).status).toBe(202);
      mine.push(body.id);
    }
    const theirs = withdrawalBody('aurpay').body;
    expect((await rival('POST', '/v1/withdrawals', theirs)).status).toBe(202);

    const page = await p.call('GET', '/v1/withdrawals');
    expect(page.status).toBe(200);
    expect(idsOf(page.body)).toEqual([...mine].reverse());
    expect(page.body.next).toBeNull();
    expect(page.body.withdrawals[0]).not.toHaveProperty('history');
    expect(page.body.withdrawals[0]).toMatchObject({ owner: 'tester', status: 'queued' });
    expect(idsOf((await rival('GET', '/v1/withdrawals')).body)).toEqual([theirs.id]);

    const paged = await p.call('GET', '/v1/withdrawals?limit=2');
    expect(idsOf(paged.body)).toEqual([mine[2], mine[1]]);
    const rest = await p.call('GET', `/v1/withdrawals?limit=2&cursor=${paged.body.next}`);
    expect(idsOf(rest.body)).toEqual([mine[0]]);

    expect(idsOf((await p.operator('GET', '/v1/withdrawals')).body)).toEqual([theirs.id, ...[...mine].reverse()]);
    expect(idsOf((await p.operator('GET', '/v1/withdrawals?producer=rival')).body)).toEqual([theirs.id]);
    expect(idsOf((await p.call('GET', '/v1/withdrawals?producer=tester')).body)).toEqual([...mine].reverse());
    expect(idsOf((await p.call('GET', '/v1/withdrawals?status=succeeded')).body)).toEqual([]);
  });

  it.each([
    ['a producer asking for another producer', '?producer=rival', 403, 'forbidden'],
    ['an unknown status', '?status=paid', 400, 'invalid_request'],
    ['a limit past 1000', '?limit=1001', 400, 'invalid_request'],
    ['a forged cursor', '?cursor=Zm9yZ2Vk', 400, 'invalid_request'],
    ['an unknown parameter', '?batch=b-1', 400, 'invalid_request'],
  ])('answers %s with %i %s', async (_what, query, status, code) => {
    const res = await p.call('GET', `/v1/withdrawals${query}`);
    expect(res.status).toBe(status);
    expect(res.body.error.code).toBe(code);
  });
});
