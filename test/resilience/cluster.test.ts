/**
 * The whole pipeline (enqueue -> submit -> settle, sweep, job scheduler, QueueEvents) against a
 * local three-master Redis Cluster, through `REDIS_URL=redis+cluster://h:p,h:p`. Every key lives
 * under the `{prefix}` hash tag, so no command may fail with CROSSSLOT.
 */
import { QueueEvents } from 'bullmq';
import { Cluster, Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKeys } from '../../src/keys.ts';
import { createRedis } from '../../src/redis.ts';
import { clusterSeedOf } from '../../src/redis-seed.ts';
import { withdrawalBody } from '../support/invoices.ts';
import { redisUrl } from '../support/redis.ts';
import { isTerminal } from '../../src/withdrawals/status.ts';
import { BUILTIN_PROVIDER_NAMES } from '../../src/providers/index.ts';
import { startCluster, type LocalCluster } from '../support/cluster.ts';
import { eventually, startPipeline, type Pipeline } from '../support/pipeline.ts';
import { audit } from './audit.ts';
import { chaosFaults, makeItems, waitForBatch, type Stack } from './harness.ts';

let cluster: LocalCluster;
let p: Pipeline;
const events: QueueEvents[] = [];
/** BullMQ leaves a connection it was handed open on close(): these are closed here. */
const eventConns: ReturnType<typeof createRedis>[] = [];
const completed: Record<string, number> = {};
/** Every payout of this file, for ledger checks that cover all of its payments. */
const allHashes = new Map<string, string>();

beforeAll(async () => {
  cluster = await startCluster(3);
  p = await startPipeline({
    env: { REDIS_URL: cluster.url, INVOICE_EXPIRY_MARGIN_S: '5', BREAKER_COOLDOWN_MS: '1000' },
    sandbox: { faults: { aurpay: chaosFaults(), turinpay: chaosFaults() }, latencyMs: 20, pendingLookups: 2 },
  });
  const queues = [...BUILTIN_PROVIDER_NAMES.map((pr) => p.runtime.queues.submitQueue(pr)), p.runtime.queues.settle, p.runtime.queues.maintenance];
  for (const q of queues) {
    const conn = createRedis(cluster.url, { role: 'worker' });
    eventConns.push(conn);
    const qe = new QueueEvents(q.name, { connection: conn, prefix: createKeys(p.config.QUEUE_PREFIX).bullPrefix });
    qe.on('completed', () => (completed[q.name] = (completed[q.name] ?? 0) + 1));
    await qe.waitUntilReady();
    events.push(qe);
  }
}, 90_000);

afterAll(async () => {
  await Promise.all(events.map((e) => e.close()));
  for (const c of eventConns) c.disconnect();
  await p?.close();
  await cluster?.stop();
});

/** The stack-shaped view `waitForBatch` needs. */
function asStack(): Pick<Stack, 'call'> {
  return { call: (method, path, body) => p.call(method, path, body) };
}

describe('Redis Cluster (three masters, redis+cluster:// URL)', () => {
  it('settles a batch through both providers with no CROSSSLOT error and no double payment', async () => {
    expect(p.runtime.store.connection).toBeInstanceOf(Cluster);
    const { items, hashes } = makeItems('cluster', 60, 3600);
    for (const [id, h] of hashes) allHashes.set(id, h);
    const res = await p.call('POST', '/v1/batches', { id: 'cluster-batch', items });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ accepted: 60, rejected: [] });
    const summary = await waitForBatch(asStack() as Stack, 'cluster-batch', 60_000);
    expect(summary.total).toBe(60);
    const a = await audit(p.runtime.store, p.sandbox, hashes);
    expect(a.problems).toEqual([]);
    expect(a.byStatus.succeeded ?? 0).toBeGreaterThan(30);
    // Reconciliation ran too: some payouts went through submitted/unknown before settling.
    const recs = await Promise.all([...hashes.keys()].map((id) => p.runtime.store.get(id)));
    expect(recs.some((r) => r?.history.some((h) => h.status === 'unknown'))).toBe(true);
    expect(p.logLines.filter((l) => /CROSSSLOT|MOVED|ASK /.test(l))).toEqual([]);
  }, 90_000);

  it('delivers QueueEvents and runs the sweep from the job scheduler', async () => {
    const before = { ...completed };
    const since = (queue: string) => (completed[queue] ?? 0) - (before[queue] ?? 0);
    // A payout through each provider (makeItems alternates them): a completed submit job in each queue.
    const { items, hashes } = makeItems('events', 2, 3600);
    for (const [id, h] of hashes) allHashes.set(id, h);
    for (const item of items) expect((await p.call('POST', '/v1/withdrawals', item)).status).toBe(202);
    await eventually(async () => ((since('submit-aurpay') > 0 && since('submit-turinpay') > 0) ? true : undefined), 30_000, 'a completed submit job in each queue');
    await eventually(async () => (since('maintenance') >= 2 ? true : undefined), 20_000, 'two scheduled sweeps');
    // Settled, so that the ledger checks of later tests find them final.
    for (const item of items) {
      await eventually(async () => {
        const r = await p.runtime.store.get(item.id);
        return r && isTerminal(r.status) ? true : undefined;
      }, 30_000, `${item.id} to settle`);
    }
    const schedulers = await p.runtime.queues.maintenance.getJobSchedulers();
    expect(schedulers.map((s) => s.key)).toContain('sweep');
  }, 30_000);

  it('lets the sweep give a withdrawal whose job vanished its job back', async () => {
    const { items, hashes } = makeItems('orphan', 1, 3600);
    const item = items[0];
    if (!item) throw new Error('no item');
    for (const [id, h] of hashes) allHashes.set(id, h);
    // Lose the job before any worker can take it: pause, accept, remove the job, resume.
    const q = p.runtime.queues.submitQueue(item.provider);
    await q.pause();
    expect((await p.call('POST', '/v1/withdrawals', item)).status).toBe(202);
    const jobs = await q.getJobs(['waiting', 'paused', 'prioritized']);
    expect(jobs).toHaveLength(1);
    await jobs[0]?.remove();
    await q.resume();
    const rec = await eventually(async () => {
      const r = await p.runtime.store.get(item.id);
      return r && (r.status === 'succeeded' || r.status === 'failed') ? r : undefined;
    }, 30_000, 'the orphan to settle');
    expect(rec.history[0]?.status).toBe('queued');
    expect(p.logLines.some((l) => /sweep restored jobs/.test(l) && /"requeued":[1-9]/.test(l))).toBe(true);
    const a = await audit(p.runtime.store, p.sandbox, allHashes);
    expect(a.problems).toEqual([]);
  }, 40_000);

  it('keeps every key of the prefix on one node (one hash slot)', async () => {
    const tag = createKeys(p.config.QUEUE_PREFIX).bullPrefix;
    const perNode = await Promise.all(
      cluster.ports.map(async (port) => {
        const node = new Redis({ host: '127.0.0.1', port });
        try {
          return (await node.keys(`${tag}*`)).length;
        } finally {
          node.disconnect();
        }
      }),
    );
    expect(perNode.filter((n) => n > 0)).toHaveLength(1);
  });
});

describe('Redis Cluster through a plain redis:// URL of one node', () => {
  it('takes a cluster node as its seed, a standalone Redis as itself', async () => {
    const port = cluster.ports[1] ?? 0;
    // That node first, then every other node it knows.
    const seed = await clusterSeedOf(`redis://127.0.0.1:${port}`, 2000);
    expect(seed).toMatch(/^redis\+cluster:\/\//);
    const seeds = (seed ?? '').replace('redis+cluster://', '').split(',');
    expect(seeds[0]).toBe(`127.0.0.1:${port}`);
    expect([...seeds].sort()).toEqual(cluster.ports.map((p) => `127.0.0.1:${p}`).sort());
    expect(await clusterSeedOf(redisUrl(), 2000)).toBeNull();
  });

  it('pays a withdrawal through a service whose REDIS_URL is a node that does not hold its slot, with no MOVED error', async () => {
    // The seed is a node other than the one holding the prefix's slot: as a single Redis it would answer MOVED.
    const prefix = `plain-seed-${Date.now()}`;
    const node = new Redis({ host: '127.0.0.1', port: cluster.ports[0] ?? 0 });
    let owner: number;
    try {
      const slot = Number(await node.cluster('KEYSLOT', `{${prefix}}`));
      const ranges = await node.cluster('SLOTS');
      owner = ranges.find(([from, to]) => slot >= from && slot <= to)?.[2]?.[1] ?? 0;
    } finally {
      node.disconnect();
    }
    const seedPort = cluster.ports.find((port) => port !== owner) ?? 0;
    const plain = await startPipeline({ env: { REDIS_URL: `redis://127.0.0.1:${seedPort}`, QUEUE_PREFIX: prefix } });
    try {
      const { body } = withdrawalBody('turinpay');
      expect((await plain.call('POST', '/v1/withdrawals', body)).status).toBe(202);
      const done = await eventually(async () => {
        const rec = (await plain.call('GET', `/v1/withdrawals/${body.id}`)).body as { status: string };
        return rec.status === 'succeeded' ? rec : undefined;
      }, 30_000, 'the withdrawal succeeded');
      expect(done.status).toBe('succeeded');
    } finally {
      await plain.close();
    }
  }, 60_000);
});
