/**
 * x-request-id (interface.md): every answer carries one, the caller's own when well formed, else a
 * fresh one; the log lines of that request carry it as `reqId`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withdrawalBody } from '../support/invoices.ts';
import { startPipeline, TEST_TOKEN, type Pipeline } from '../support/pipeline.ts';

let p: Pipeline;
beforeAll(async () => {
  p = await startPipeline({ workers: false });
});
afterAll(async () => p.close());

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

async function send(path: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}) {
  const res = await fetch(`${p.baseUrl}${path}`, init);
  await res.arrayBuffer();
  return { status: res.status, requestId: res.headers.get('x-request-id') };
}

describe('x-request-id', () => {
  it("answers with the caller's own well-formed id, and every log line of the request carries it", async () => {
    const id = 'shop-req:2026-11-21/000123+retry=1';
    const { body } = withdrawalBody('turinpay');
    const res = await send('/v1/withdrawals', {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'application/json', 'x-request-id': id },
      body: JSON.stringify(body),
    });
    expect(res).toEqual({ status: 202, requestId: id });
    const lines = p.logLines.map((l) => JSON.parse(l) as { reqId?: string; msg?: string }).filter((l) => l.reqId === id);
    expect(lines.map((l) => l.msg)).toEqual(expect.arrayContaining(['incoming request', 'request completed']));
  });

  it.each([
    ['with a space', 'not well formed'],
    ['past 128 characters', 'x'.repeat(129)],
    ['empty', ''],
    ['with a quote', 'a"b'],
  ])('answers a fresh id for one %s', async (_what, given) => {
    const res = await send('/healthz', { headers: { 'x-request-id': given } });
    expect(res.status).toBe(200);
    expect(res.requestId).toMatch(UUID);
  });

  it('is on every kind of answer, a fresh one each time', async () => {
    const answers = await Promise.all([
      send('/healthz'),
      send('/v1/withdrawals'),
      send('/no/such/route'),
      send('/v1/withdrawals/%zz', { headers: { authorization: `Bearer ${TEST_TOKEN}` } }),
      send('/v1/withdrawals', { method: 'POST', headers: { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'application/json' }, body: '{' }),
      send('/openapi.json'),
    ]);
    expect(answers.map((a) => a.status)).toEqual([200, 401, 404, 400, 400, 200]);
    for (const a of answers) expect(a.requestId).toMatch(UUID);
    expect(new Set(answers.map((a) => a.requestId)).size).toBe(answers.length);
  });
});
