import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withdrawalBody } from '../support/invoices.ts';
import { eventually, startPipeline, type Pipeline } from '../support/pipeline.ts';

let p: Pipeline;
beforeAll(async () => {
  p = await startPipeline();
});
afterAll(async () => p.close());

describe('POST /v1/withdrawals', () => {
  it('answers 202 with the record, then 200 with the current record on a replay', async () => {
    const { body } = withdrawalBody('turinpay', 36_000n, { description: 'weekly payout', metadata: { userId: 'u-42' } });
    const first = await p.call('POST', '/v1/withdrawals', body);
    expect(first.status).toBe(202);
    expect(first.body).toMatchObject({ id: body.id, provider: 'turinpay', status: 'queued', amountMsat: '36000', metadata: { userId: 'u-42' } });
    expect(first.body.paymentHash).toMatch(/^[0-9a-f]{64}$/);
    const again = await p.call('POST', '/v1/withdrawals', body);
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(body.id);
  });

  it('accepts exactly one of many concurrent identical requests and pays once', async () => {
    const { body, paymentHash } = withdrawalBody('aurpay');
    const answers = await Promise.all(Array.from({ length: 25 }, () => p.call('POST', '/v1/withdrawals', body)));
    const codes = answers.map((a) => a.status).sort();
    expect(codes.filter((c) => c === 202)).toHaveLength(1);
    expect(codes.filter((c) => c === 200)).toHaveLength(24);
    await eventually(async () => ((await p.call('GET', `/v1/withdrawals/${body.id}`)).body.status === 'succeeded' ? true : undefined));
    expect(p.sandbox.ledger.paymentsFor(paymentHash)).toHaveLength(1);
  });

  it('refuses the same invoice under other ids, concurrently, with invoice_already_used', async () => {
    const { body, paymentHash } = withdrawalBody('turinpay');
    const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => p.call('POST', '/v1/withdrawals', { ...body, id: `${body.id}-${i}` })));
    expect(answers.filter((a) => a.status === 202)).toHaveLength(1);
    const refused = answers.filter((a) => a.status === 409);
    expect(refused).toHaveLength(9);
    for (const r of refused) expect(r.body.error.code).toBe('invoice_already_used');
    await eventually(async () => (p.sandbox.ledger.paymentsFor(paymentHash).length === 1 ? true : undefined));
  });

  it('answers 409 idempotency_conflict for the same id with another body, storing nothing new', async () => {
    const { body } = withdrawalBody('turinpay');
    expect((await p.call('POST', '/v1/withdrawals', body)).status).toBe(202);
    const other = withdrawalBody('turinpay').body;
    const res = await p.call('POST', '/v1/withdrawals', { ...other, id: body.id });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('idempotency_conflict');
    expect((await p.call('GET', `/v1/withdrawals/${body.id}`)).body.invoice).toBe(body.invoice);
  });

  it('answers 401 without a valid bearer token', async () => {
    const { body } = withdrawalBody('turinpay');
    const res = await p.call('POST', '/v1/withdrawals', body, { authorization: 'Bearer wrong-token-123' });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('unauthorized');
    expect((await p.call('GET', `/v1/withdrawals/${body.id}`)).status).toBe(404);
  });

  it('answers 404 not_found for an unknown id', async () => {
    const res = await p.call('GET', '/v1/withdrawals/no-such-id');
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('not_found');
  });
});
