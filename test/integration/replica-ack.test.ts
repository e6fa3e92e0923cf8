/**
 * REDIS_MIN_REPLICAS_ACK=1 against a private primary and one replica: a withdrawal is answered 202
 * only once the replica holds it; with the replica gone the API answers 503 `unavailable`, the
 * worker makes no provider call for what it stored, and the same body sent again once the replica
 * is back answers 200 and is paid exactly once.
 */
import { rmSync } from 'node:fs';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { payeeInvoice } from '../../src/demo/payee.ts';
import { eventually, startPipeline, type Pipeline } from '../support/pipeline.ts';
import { startRedisServer, type PrivateRedis } from '../support/redis-server.ts';

let primary: PrivateRedis;
let replica: PrivateRedis;
let p: Pipeline;

async function replicasOnline(): Promise<number> {
  const r = new Redis(primary.url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  r.on('error', () => {});
  try {
    await r.connect();
    return (await r.info('replication')).match(/state=online/g)?.length ?? 0;
  } finally {
    r.disconnect();
  }
}

async function startReplica(port?: number): Promise<PrivateRedis> {
  const node = await startRedisServer(['--replicaof', '127.0.0.1', String(primary.port)], port ? { port, dir: replica.dir } : {});
  await eventually(async () => ((await replicasOnline()) === 1 ? true : undefined), 20_000, 'the replica online');
  return node;
}

beforeAll(async () => {
  primary = await startRedisServer();
  replica = await startReplica();
  p = await startPipeline({ env: { REDIS_URL: primary.url, REDIS_MIN_REPLICAS_ACK: '1', REDIS_ACK_TIMEOUT_MS: '300' } });
});

afterAll(async () => {
  await p?.close();
  for (const node of [replica, primary]) {
    await node?.stop();
    if (node) rmSync(node.dir, { recursive: true, force: true });
  }
});

function body(id: string) {
  const { invoice, paymentHash } = payeeInvoice({ network: 'regtest', amountMsat: 21_000n, expirySeconds: 600 });
  return { req: { id, provider: 'turinpay', invoice, amountMsat: '21000' }, paymentHash };
}

async function statusOf(id: string): Promise<string | undefined> {
  const res = await p.call('GET', `/v1/withdrawals/${id}`);
  return res.status === 200 ? (res.body.status as string) : undefined;
}

describe('REDIS_MIN_REPLICAS_ACK=1 with one replica', () => {
  it('answers 202 once the replica holds the withdrawal, and pays it', async () => {
    const { req, paymentHash } = body('ack-ok');
    const res = await p.call('POST', '/v1/withdrawals', req);
    expect(res.status).toBe(202);
    await eventually(async () => ((await statusOf('ack-ok')) === 'succeeded' ? true : undefined), 20_000, 'ack-ok succeeded');
    expect(p.sandbox.ledger.paymentsFor(paymentHash)).toHaveLength(1);
  });

  it('answers 503 without the replica, calls no provider for what it stored, and a replay once it is back pays exactly once', async () => {
    await replica.stop();
    const { req, paymentHash } = body('ack-short');
    const res = await p.call('POST', '/v1/withdrawals', req);
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe('unavailable');
    expect(res.body.error.message).toMatch(/replicas did not confirm/);

    // Stored on the primary all the same: the sweep gives it a job, whose fence the replica
    // cannot confirm, so the worker puts it back without a provider call.
    const rec = await eventually(async () => {
      const r = await p.runtime.store.get('ack-short');
      return r?.history.some((h) => /did not confirm the fence/.test(h.cause ?? '')) ? r : undefined;
    }, 20_000, 'an unconfirmed fence');
    expect(rec.status).toMatch(/queued|submitting/);
    expect(p.sandbox.ledger.paymentsFor(paymentHash)).toHaveLength(0);
    expect(p.logLines.some((l) => /replicas did not confirm a write/.test(l))).toBe(true);
    const metrics = await p.runtime.metrics.render();
    for (const write of ['create', 'fence']) {
      const line = metrics.split('\n').find((l) => l.startsWith(`withdrawals_redis_replica_shortfalls_total{write="${write}"}`));
      expect(Number(line?.split(' ')[1]), write).toBeGreaterThan(0);
    }

    replica = await startReplica(replica.port);
    const again = await p.call('POST', '/v1/withdrawals', req);
    expect([200, 202]).toContain(again.status);
    await eventually(async () => ((await statusOf('ack-short')) === 'succeeded' ? true : undefined), 30_000, 'ack-short succeeded');
    expect(p.sandbox.ledger.paymentsFor(paymentHash)).toHaveLength(1);
    expect(p.sandbox.ledger.duplicates()).toEqual([]);
  }, 90_000);
});
