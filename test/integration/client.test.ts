import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWithdrawalsClient, isTerminal, WithdrawalsClientError, type WithdrawalsClient } from '../../src/index.ts';
import { withdrawalBody } from '../support/invoices.ts';
import { startPipeline, type Pipeline } from '../support/pipeline.ts';

let p: Pipeline;
let client: WithdrawalsClient;
beforeAll(async () => {
  p = await startPipeline();
  // The same producer as the pipeline's API token, so the API shows it the client's withdrawals.
  client = await createWithdrawalsClient({ redisUrl: p.config.REDIS_URL, prefix: p.config.QUEUE_PREFIX, network: 'regtest', producer: 'tester' });
});
afterAll(async () => {
  await client?.close();
  await p.close();
});

describe('createWithdrawalsClient', () => {
  it('enqueues a withdrawal that the pipeline workers pay, and waits for it', async () => {
    const { body, paymentHash } = withdrawalBody('turinpay', 12_000_000n, { metadata: { user: 'u-1' } });
    const res = await client.enqueue(body);
    expect(res.kind).toBe('accepted');
    if (res.kind !== 'accepted') throw new Error('not accepted');
    expect(res.record).toMatchObject({ id: body.id, status: 'queued', amountMsat: '12000000', metadata: { user: 'u-1' } });
    expect(res.record).not.toHaveProperty('reconcileDeadline');
    const done = await client.waitFor(body.id, { timeoutMs: 40_000 });
    expect(done.status).toBe('succeeded');
    expect(done.history.map((h) => h.status)).toEqual(expect.arrayContaining(['queued', 'submitting', 'succeeded']));
    expect(p.sandbox.ledger.paymentsFor(paymentHash)).toHaveLength(1);
    // The API sees the same record.
    expect((await p.call('GET', `/v1/withdrawals/${body.id}`)).body.status).toBe('succeeded');
    const again = await client.enqueue(body);
    expect(again.kind).toBe('replayed');
  });

  it('enqueues a Lightning Address; a worker without LNURL_ALLOW_PRIVATE never reaches a loopback server', async () => {
    const address = p.sandbox.lnurl.address('lib-alice');
    const body = { id: 'lib-la-1', provider: 'aurpay', lightningAddress: address, amountMsat: '15000' };
    const refused = await client.enqueue(body);
    expect(refused.kind === 'refused' && refused.error.code).toBe('invalid_request');
    const open = await createWithdrawalsClient({ redisUrl: p.config.REDIS_URL, prefix: p.config.QUEUE_PREFIX, network: 'regtest', producer: 'tester', lnurlAllowPrivate: true });
    try {
      const res = await open.enqueue(body);
      expect(res.kind).toBe('accepted');
      if (res.kind !== 'accepted') throw new Error('not accepted');
      expect(res.record).toMatchObject({ lightningAddress: address, invoice: null, paymentHash: null });
      const done = await open.waitFor(body.id, { timeoutMs: 20_000 });
      expect(done).toMatchObject({ status: 'failed', invoice: null, attempts: 0 });
      expect(done.failure?.code).toBe('lnurl_forbidden');
      expect(p.sandbox.lnurl.requests('lib-alice')).toEqual({ payRequests: 0, callbacks: 0 });
    } finally {
      await open.close();
    }
  });

  it('refuses what the API refuses, with the same codes', async () => {
    const bad = await client.enqueue({ id: 'lib-bad-1', provider: 'aurpay', invoice: 'lnbcrt1nonsense' });
    expect(bad).toMatchObject({ kind: 'refused', status: 400, error: { code: 'invalid_invoice' } });
    const { body } = withdrawalBody('aurpay');
    expect((await client.enqueue(body)).kind).toBe('accepted');
    const conflict = await client.enqueue({ ...body, description: 'changed' });
    expect(conflict).toMatchObject({ kind: 'refused', status: 409, error: { code: 'idempotency_conflict' } });
  });

  it('refuses providers it is not told the workers serve', async () => {
    const aurpayOnly = await createWithdrawalsClient({ redisUrl: p.config.REDIS_URL, prefix: p.config.QUEUE_PREFIX, network: 'regtest', providers: ['aurpay'] });
    try {
      const res = await aurpayOnly.enqueue(withdrawalBody('turinpay').body);
      expect(res).toMatchObject({ kind: 'refused', error: { code: 'provider_disabled' } });
    } finally {
      await aurpayOnly.close();
    }
  });

  it('enqueues a batch and waits until it is done', async () => {
    const items = [withdrawalBody('aurpay', 1_000_000n).body, withdrawalBody('turinpay', 2_000_000n).body, { id: 'lib-batch-bad' }];
    const seen: string[] = [];
    const answer = await client.enqueueBatch(items, { batchId: 'lib-batch-1', onItem: (k) => seen.push(k) });
    expect(answer).toMatchObject({ batchId: 'lib-batch-1', accepted: 2, duplicates: 0, rejected: [{ index: 2, id: 'lib-batch-bad' }] });
    expect(seen.sort()).toEqual(['accepted', 'accepted', 'refused']);
    const progress: number[] = [];
    const summary = await client.waitForBatch('lib-batch-1', { timeoutMs: 40_000, onProgress: (s) => progress.push(s.total) });
    expect(summary).toEqual({
      batchId: 'lib-batch-1',
      total: 2,
      byStatus: { succeeded: 2 },
      amountMsatByStatus: { succeeded: '3000000' },
      done: true,
    });
    expect(progress.length).toBeGreaterThan(0);
    expect(await client.batch('no-such-batch')).toBeNull();
    await expect(client.enqueueBatch(items, { batchId: 'bad id' })).rejects.toMatchObject({ code: 'invalid_request' });
  });

  it('enqueues as the producer it is given: another producer is refused the same id and batch id, and on-chain withdrawals are refused', async () => {
    const rival = await createWithdrawalsClient({ redisUrl: p.config.REDIS_URL, prefix: p.config.QUEUE_PREFIX, network: 'regtest', producer: 'rival' });
    try {
      const { body } = withdrawalBody('aurpay');
      const mine = await client.enqueue(body);
      expect(mine.kind === 'accepted' && mine.record.owner).toBe('tester');
      expect(await rival.enqueue(body)).toMatchObject({ kind: 'refused', status: 409, error: { code: 'idempotency_conflict' } });
      await client.enqueueBatch([withdrawalBody('aurpay').body], { batchId: 'lib-owned-batch' });
      await expect(rival.enqueueBatch([withdrawalBody('aurpay').body], { batchId: 'lib-owned-batch' })).rejects.toMatchObject({ code: 'idempotency_conflict' });
      const onchain = await rival.enqueue({ id: 'lib-onchain', provider: 'turinpay', address: 'bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080' });
      expect(onchain).toMatchObject({ kind: 'refused', status: 403, error: { code: 'forbidden' } });
      await expect(createWithdrawalsClient({ redisUrl: p.config.REDIS_URL, prefix: p.config.QUEUE_PREFIX, producer: 'no spaces' })).rejects.toMatchObject({
        code: 'invalid_request',
      });
    } finally {
      await rival.close();
    }
  });

  it('lists its producer\'s withdrawals newest first, as the API does, and refuses a bad option', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const { body } = withdrawalBody('turinpay');
      expect((await client.enqueue(body)).kind).toBe('accepted');
      ids.push(body.id);
    }
    const first = await client.list({ limit: 2 });
    expect(first.withdrawals.map((w) => w.id)).toEqual([ids[2], ids[1]]);
    expect(first.withdrawals[0]).not.toHaveProperty('history');
    const second = await client.list({ limit: 1, cursor: first.next });
    expect(second.withdrawals.map((w) => w.id)).toEqual([ids[0]]);
    const api = await p.call('GET', '/v1/withdrawals?limit=2');
    expect(api.body.withdrawals.map((w: { id: string }) => w.id)).toEqual([ids[2], ids[1]]);
    const other = await createWithdrawalsClient({ redisUrl: p.config.REDIS_URL, prefix: p.config.QUEUE_PREFIX, network: 'regtest', producer: 'someone-else' });
    try {
      expect((await other.list()).withdrawals).toEqual([]);
    } finally {
      await other.close();
    }
    await expect(client.list({ limit: 0 })).rejects.toMatchObject({ code: 'invalid_request' });
    await expect(client.list({ cursor: 'forged' })).rejects.toMatchObject({ code: 'invalid_request' });
  });

  it('says not_found for an unknown id and timeout when the status does not come', async () => {
    expect(await client.get('lib-nothing')).toBeNull();
    await expect(client.waitFor('lib-nothing', { timeoutMs: 1000 })).rejects.toMatchObject({ code: 'not_found' });
    const { body } = withdrawalBody('aurpay');
    await client.enqueue(body);
    const err: unknown = await client.waitFor(body.id, { timeoutMs: 300, statuses: ['cancelled'], pollMs: 50 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WithdrawalsClientError);
    expect(err).toMatchObject({ code: 'timeout' });
    const rec = await client.waitFor(body.id, { timeoutMs: 40_000 });
    expect(isTerminal(rec.status)).toBe(true);
  });

  it('names the failed call in its errors with a request id, a fresh one per call', async () => {
    const errors = await Promise.all([
      client.waitFor('lib-nothing', { timeoutMs: 1000 }).catch((e: unknown) => e),
      client.list({ cursor: 'forged' }).catch((e: unknown) => e),
      client.enqueueBatch([], { batchId: 'not a batch id' }).catch((e: unknown) => e),
    ]);
    const ids = errors.map((e) => (e instanceof WithdrawalsClientError ? e.requestId : null));
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(new Set(ids).size).toBe(3);
  });
});
