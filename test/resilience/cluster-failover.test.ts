/**
 * The master holding the deployment's slot is killed (SIGKILL) mid-settlement on a Redis Cluster of
 * three masters, each with a replica: the API and two workers connected through a plain
 * `redis://` URL of that very master (taken as the cluster's seed, with every node it knew), with
 * REDIS_MIN_REPLICAS_ACK=1: every connection made after its death starts from the other nodes.
 * The slot's master has a second replica: the promoted one has none of its own otherwise, and with
 * a replica's confirmation required every write of the deployment would be refused (rightly) until
 * an operator gave it one.
 * Every withdrawal answered 202 must reach a terminal status, paid at most once (the sandbox
 * ledger), the attempts in flight must be reconciled rather than sent again, and the same processes
 * must take new withdrawals within 30 s of the replica's promotion.
 *
 * CLUSTER_FAILOVER_ACK=0 runs the same scenario without REDIS_MIN_REPLICAS_ACK, to see what it
 * loses (its assertions may then fail).
 */
import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type LocalCluster } from '../support/cluster.ts';
import { audit } from './audit.ts';
import { chaosFaults, makeItems, sleep, startStack, waitForBatch, type Stack } from './harness.ts';
import { postSingles, type Singles } from './singles.ts';

const COUNT = 300;
const EXPIRY_S = 30;
const ACK = process.env.CLUSTER_FAILOVER_ACK ?? '1';

let cluster: LocalCluster;
let stack: Stack;
beforeAll(async () => {
  cluster = await startCluster(3, { replicas: 1 });
  stack = await startStack({
    cluster,
    env: { REDIS_MIN_REPLICAS_ACK: ACK, REDIS_ACK_TIMEOUT_MS: '1000' },
    // Three pending lookups before a payout settles: more of them under way when the master dies.
    sandbox: { faults: { aurpay: chaosFaults(), turinpay: chaosFaults() }, latencyMs: 250, pendingLookups: 3 },
  });
  await cluster.addReplica(await cluster.slotMasterPort(`{${stack.env.QUEUE_PREFIX}}`));
}, 90_000);
afterAll(async () => {
  await stack?.close();
  await cluster?.stop();
});

/**
 * Mid-settlement: most of the batch past its submit (submitted, unknown or final) and lookups under
 * way (some of it submitted or unknown still). The batch's own counts, which the singles posted
 * meanwhile do not swell. Resolves with the counts seen then.
 */
async function midSettlement(batchId: string, timeoutMs: number): Promise<Partial<Record<string, number>>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const c = (await stack.store.batchSummary(batchId))?.byStatus ?? {};
    const before = (c.queued ?? 0) + (c.submitting ?? 0);
    const settling = (c.submitted ?? 0) + (c.unknown ?? 0);
    if (process.env.RESILIENCE_PROGRESS) console.info(new Date().toISOString(), JSON.stringify(c));
    if (before <= COUNT * 0.5 && settling >= 8) return c;
    if (Date.now() > deadline) throw new Error(`the batch never reached mid-settlement: ${JSON.stringify(c)}`);
    await sleep(50);
  }
}

describe('the master of the deployment slot killed on Redis Cluster mid-settlement', () => {
  it('loses no accepted withdrawal, pays none twice, and takes new ones within 30 s of the promotion', async () => {
    expect(stack.store.connection).toBeInstanceOf(Cluster);
    const slotKey = `{${stack.env.QUEUE_PREFIX}}`;
    const master = await cluster.slotMasterPort(slotKey);
    expect(stack.env.REDIS_URL).toBe(`redis://127.0.0.1:${stack.redis.port}`);
    expect(stack.redis.port).toBe(master);

    const workers = await Promise.all([stack.startWorker('worker-a', ['--concurrency', '4']), stack.startWorker('worker-b', ['--concurrency', '4'])]);
    const { items, hashes } = makeItems('cluster', COUNT, EXPIRY_S);
    const res = await stack.call('POST', '/v1/batches', { id: 'cluster-batch', items });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ accepted: COUNT, rejected: [] });

    let keepPosting = true;
    const singles: Singles = { accepted: new Map(), acceptedAt: [], unavailable: 0, other: 0 };
    const posting = postSingles(stack, singles, () => !keepPosting, { label: 'single', expirySeconds: EXPIRY_S, timeoutMs: 75_000 });
    const atKill = await midSettlement('cluster-batch', 40_000);
    const killedAt = Date.now();
    await cluster.killNode(master);
    const promoted = await cluster.waitForPromotion(master, 30_000);
    const promotedAt = Date.now();
    expect(await cluster.slotMasterPort(slotKey)).toBe(promoted);
    // Keep posting until three singles are accepted after the promotion, or 30 s have passed.
    while (Date.now() - promotedAt < 30_000 && singles.acceptedAt.filter((at) => at > promotedAt).length < 3) await sleep(200);
    keepPosting = false;
    await posting;
    const firstAfter = singles.acceptedAt.find((at) => at > promotedAt);

    const summary = await waitForBatch(stack, 'cluster-batch', (EXPIRY_S + 30) * 1000);
    expect(summary.total).toBe(COUNT);
    const all = new Map([...hashes, ...singles.accepted]);
    const deadline = Date.now() + 30_000;
    let a = await audit(stack.store, stack.sandbox, all);
    while (a.problems.some((p) => /still/.test(p)) && Date.now() < deadline) {
      await sleep(500);
      a = await audit(stack.store, stack.sandbox, all);
    }
    console.info(
      `cluster suite (REDIS_MIN_REPLICAS_ACK=${ACK}): killed the slot's master at ${JSON.stringify(atKill)}; promotion after ${promotedAt - killedAt} ms; ` +
        `first single accepted ${firstAfter === undefined ? 'never' : `${firstAfter - promotedAt} ms`} after it; ${singles.accepted.size} singles accepted, ` +
        `${singles.unavailable} answers 503 or none, ${singles.other} others; ${JSON.stringify(a.byStatus)}; ${a.payments} payments, ` +
        `${a.submitRequests} submit requests for ${a.fencedAttempts} fenced attempts; ${a.problems.length} problems ${JSON.stringify(a.problems.slice(0, 10))}`,
    );
    expect(a.problems).toEqual([]);
    expect(firstAfter).toBeDefined();
    expect((firstAfter ?? Infinity) - promotedAt).toBeLessThanOrEqual(30_000);
    expect(summary.byStatus.succeeded ?? 0).toBeGreaterThan(COUNT / 2);
    // The same processes throughout: they followed the failover without a restart.
    expect([stack.api.proc, ...workers].map((p) => p.running())).toEqual([true, true, true]);
    const ready = await fetch(`${stack.api.baseUrl}/readyz`);
    expect(ready.status).toBe(200);
    // It names the promoted master as the one it writes to, and counted the change once.
    expect(await ready.json()).toEqual({ ok: true, redis: { primary: `127.0.0.1:${promoted}` } });
    const metrics = await (await fetch(`${stack.api.baseUrl}/metrics`)).text();
    expect(/^withdrawals_redis_failovers_total (\d+)$/m.exec(metrics)?.[1]).toBe('1');
  }, 150_000);
});
