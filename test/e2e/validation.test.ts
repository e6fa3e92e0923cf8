import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { payeeInvoice } from '../../src/demo/payee.ts';
import { closeRedis, createRedis, type RedisClient } from '../../src/redis.ts';
import { withdrawalBody } from '../support/invoices.ts';
import { startPipeline, type Pipeline } from '../support/pipeline.ts';

let p: Pipeline;
/** A connection of the test's own, to count the keys the service wrote. */
let redis: RedisClient;
beforeAll(async () => {
  // No workers: these tests are about what is refused at the door.
  p = await startPipeline({ workers: false, env: { INVOICE_EXPIRY_MARGIN_S: '60', MAX_AMOUNT_MSAT: '500000000' } });
  redis = createRedis(p.config.REDIS_URL, { role: 'worker', connectionName: 'test-validation' });
});
afterAll(async () => {
  await closeRedis(redis);
  await p.close();
});

/** Keys a withdrawal could leave: records, history, indexes, status sets, events, and every queue's jobs. */
async function keyCount(): Promise<number> {
  const keys = await redis.keys(`{${p.config.QUEUE_PREFIX}}*`);
  // BullMQ writes each queue's `meta` key on first use; it carries no withdrawal.
  return keys.filter((k) => !k.endsWith(':meta')).length;
}

async function refused(body: unknown, status: number, code: string, headers: Record<string, string> = {}) {
  const before = await keyCount();
  const res = await p.call('POST', '/v1/withdrawals', body, headers);
  expect(res.status).toBe(status);
  expect(res.body.error.code).toBe(code);
  expect(res.body.error.message.length).toBeGreaterThan(10);
  expect(Array.isArray(res.body.error.issues)).toBe(true);
  expect(await keyCount()).toBe(before);
  return res.body.error;
}

describe('refused at the door, leaving no trace in Redis', () => {
  it('invalid_request: unknown fields, bad id, both invoice and address, non-object JSON', async () => {
    const { body } = withdrawalBody('turinpay');
    const e1 = await refused({ ...body, colour: 'blue' }, 400, 'invalid_request');
    expect(JSON.stringify(e1.issues)).toContain('colour');
    const e2 = await refused({ ...body, id: 'has space' }, 400, 'invalid_request');
    expect(e2.issues[0].path).toBe('id');
    await refused({ ...body, address: 'bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080' }, 400, 'invalid_request');
    await refused({ id: 'x1', provider: 'turinpay' }, 400, 'invalid_request');
    await refused('[1,2,3]', 400, 'invalid_request');
    await refused('"just a string"', 400, 'invalid_request');
    await refused('{not json', 400, 'invalid_request');
    await refused({ ...body, amountMsat: 36000 }, 400, 'invalid_request');
  });

  it('invalid_invoice', async () => {
    await refused({ id: 'bad-inv', provider: 'turinpay', invoice: 'lnbcrt1garbage' }, 400, 'invalid_invoice');
  });

  it('network_mismatch', async () => {
    const { invoice } = payeeInvoice({ network: 'bitcoin', amountMsat: 1000n });
    const e = await refused({ id: 'net-1', provider: 'turinpay', invoice }, 400, 'network_mismatch');
    expect(e.message).toContain('regtest');
  });

  it('invoice_expired, including one expiring within the margin', async () => {
    const old = payeeInvoice({ network: 'regtest', amountMsat: 1000n, nowSeconds: Math.floor(Date.now() / 1000) - 7200, expirySeconds: 3600 });
    await refused({ id: 'exp-1', provider: 'turinpay', invoice: old.invoice }, 400, 'invoice_expired');
    const soon = payeeInvoice({ network: 'regtest', amountMsat: 1000n, expirySeconds: 30 });
    await refused({ id: 'exp-2', provider: 'turinpay', invoice: soon.invoice }, 400, 'invoice_expired');
  });

  it('amount_required: amountless invoice without amountMsat (Aurpay) or at all (TurinPay)', async () => {
    const { invoice } = payeeInvoice({ network: 'regtest', amountMsat: null });
    await refused({ id: 'amt-1', provider: 'aurpay', invoice }, 400, 'amount_required');
    await refused({ id: 'amt-2', provider: 'turinpay', invoice, amountMsat: '5000' }, 400, 'amount_required');
  });

  it('amount_mismatch', async () => {
    const { body } = withdrawalBody('aurpay', 25_000n);
    await refused({ ...body, amountMsat: '26000' }, 400, 'amount_mismatch');
  });

  it('forbidden: on-chain withdrawals are for operators, whatever ALLOW_ONCHAIN says', async () => {
    await refused({ id: 'addr-1', provider: 'turinpay', address: 'bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080' }, 403, 'forbidden');
  });

  it('invalid_address (on-chain is off by default), for an operator', async () => {
    const res = await p.operator('POST', '/v1/withdrawals', { id: 'addr-2', provider: 'turinpay', address: 'bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080' });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_address');
  });

  it('amounts above MAX_AMOUNT_MSAT are refused', async () => {
    const { body } = withdrawalBody('turinpay', 600_000_000n);
    await refused(body, 400, 'invalid_request');
  });

  it('413 for a body over the limit and 415 for another content type', async () => {
    const { body } = withdrawalBody('turinpay');
    await refused({ ...body, description: 'x'.repeat(70 * 1024) }, 413, 'invalid_request');
    await refused('id=1', 415, 'invalid_request', { 'content-type': 'application/x-www-form-urlencoded' });
  });
});

describe('provider_disabled', () => {
  it('is answered for a provider without an API key', async () => {
    const q = await startPipeline({ workers: false, env: { AURPAY_API_KEY: '' } });
    try {
      const { body } = withdrawalBody('aurpay');
      const res = await q.call('POST', '/v1/withdrawals', body);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('provider_disabled');
    } finally {
      await q.close();
    }
  });
});

describe('fuzzing the API', () => {
  const valid = withdrawalBody('aurpay').body;
  const mutated = fc.record(
    {
      id: fc.oneof(fc.string(), fc.constant(valid.id), fc.integer()),
      provider: fc.oneof(fc.constantFrom('aurpay', 'turinpay', 'AURPAY', ''), fc.anything()),
      invoice: fc.oneof(fc.string(), fc.constant(valid.invoice), fc.constant(valid.invoice.slice(0, -3) + 'qqq'), fc.anything()),
      amountMsat: fc.oneof(fc.string(), fc.bigInt().map(String), fc.anything()),
      metadata: fc.anything(),
    },
    { requiredKeys: [] },
  );

  it('never answers 5xx and never stores a refused body', async () => {
    const before = await keyCount();
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(fc.oneof(mutated, fc.anything()), async (body) => {
        let text: string;
        try {
          text = JSON.stringify(body) ?? 'null';
        } catch {
          text = 'null';
        }
        const res = await p.call('POST', '/v1/withdrawals', text);
        expect(res.status).toBeLessThan(500);
        if (res.status === 202) accepted++;
        else expect(res.body.error.code).toMatch(/^[a-z_]+$/);
      }),
      { numRuns: 300 },
    );
    // Only accepted bodies may add keys (record, history, index, status set, event, job).
    if (accepted === 0) expect(await keyCount()).toBe(before);
  });
});
