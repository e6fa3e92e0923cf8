/**
 * The Redis primary is killed (SIGKILL) mid-batch behind Sentinel: a primary, two replicas and
 * three Sentinels on loopback, the API and two workers connected through the Sentinels with
 * REDIS_MIN_REPLICAS_ACK=1. Every withdrawal answered 202 must reach a terminal status, paid at
 * most once (the sandbox ledger), the attempts in flight must be reconciled rather than sent again,
 * and the same processes must take new withdrawals within 30 s of the promotion.
 *
 * SENTINEL_FAILOVER_ACK=0 runs the same scenario without REDIS_MIN_REPLICAS_ACK, to see what it
 * loses (its assertions are then expected to fail).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { audit } from './audit.ts';
import { chaosFaults, makeItems, sleep, startStack, waitForBatch, type Stack } from './harness.ts';
import { postSingles, type Singles } from './singles.ts';
import { startSentinelGroup, type SentinelGroup } from '../support/sentinel.ts';

const COUNT = 300;
const EXPIRY_S = 30;
const ACK = process.env.SENTINEL_FAILOVER_ACK ?? '1';

let group: SentinelGroup;
let stack: Stack;
beforeAll(async () => {
  group = await startSentinelGroup(2);
  stack = await startStack({
    sentinel: group,
    env: { REDIS_MIN_REPLICAS_ACK: ACK, REDIS_ACK_TIMEOUT_MS: '1000' },
    sandbox: { faults: { aurpay: chaosFaults(), turinpay: chaosFaults() }, latencyMs: 250 },
  });
}, 90_000);
afterAll(async () => {
  await stack?.close();
  await group?.stop();
});

describe('the Redis primary killed behind Sentinel mid-batch', () => {
  it('loses no accepted withdrawal, pays none twice, and takes new ones within 30 s of the promotion', async () => {
    const workers = await Promise.all([stack.startWorker('worker-a', ['--concurrency', '4']), stack.startWorker('worker-b', ['--concurrency', '4'])]);
    const { items, hashes } = makeItems('sentinel', COUNT, EXPIRY_S);
    const res = await stack.call('POST', '/v1/batches', { id: 'sentinel-batch', items });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ accepted: COUNT, rejected: [] });

    // Submits under way (provider calls in flight), singles arriving: then the primary dies.
    let keepPosting = true;
    const singles: Singles = { accepted: new Map(), acceptedAt: [], unavailable: 0, other: 0 };
    const posting = postSingles(stack, singles, () => !keepPosting, EXPIRY_S);
    await sleep(1500);
    const counts = await stack.store.countByStatus(['aurpay', 'turinpay'] as const);
    const open = (['queued', 'submitting', 'submitted', 'unknown'] as const).reduce((n, st) => n + counts.aurpay[st] + counts.turinpay[st], 0);
    const killedAt = Date.now();
    const oldPort = await group.killPrimary();
    await group.waitForPromotion(oldPort, 30_000);
    const promotedAt = Date.now();
    // Keep posting until three singles are accepted after the promotion, or 30 s have passed.
    while (Date.now() - promotedAt < 30_000 && singles.acceptedAt.filter((at) => at > promotedAt).length < 3) await sleep(200);
    keepPosting = false;
    await posting;
    const firstAfter = singles.acceptedAt.find((at) => at > promotedAt);

    const summary = await waitForBatch(stack, 'sentinel-batch', (EXPIRY_S + 30) * 1000);
    expect(summary.total).toBe(COUNT);
    const all = new Map([...hashes, ...singles.accepted]);
    const deadline = Date.now() + 30_000;
    let a = await audit(stack.store, stack.sandbox, all);
    while (a.problems.some((p) => /still/.test(p)) && Date.now() < deadline) {
      await sleep(500);
      a = await audit(stack.store, stack.sandbox, all);
    }
    console.info(
      `sentinel suite (REDIS_MIN_REPLICAS_ACK=${ACK}): ${open} payouts in flight when the primary died; promotion after ${promotedAt - killedAt} ms; ` +
        `first single accepted ${firstAfter === undefined ? 'never' : `${firstAfter - promotedAt} ms`} after it; ${singles.accepted.size} singles accepted, ` +
        `${singles.unavailable} answers 503 or none, ${singles.other} others; ${JSON.stringify(a.byStatus)}; ${a.payments} payments, ` +
        `${a.submitRequests} submit requests for ${a.fencedAttempts} fenced attempts; ${a.problems.length} problems ${JSON.stringify(a.problems.slice(0, 10))}`,
    );
    expect(a.problems).toEqual([]);
    expect(open).toBeGreaterThan(50);
    expect(firstAfter).toBeDefined();
    expect((firstAfter ?? Infinity) - promotedAt).toBeLessThanOrEqual(30_000);
    expect(summary.byStatus.succeeded ?? 0).toBeGreaterThan(COUNT / 2);
    // The same processes throughout: they followed the failover without a restart.
    expect([stack.api.proc, ...workers].map((p) => p.running())).toEqual([true, true, true]);
    expect((await fetch(`${stack.api.baseUrl}/readyz`)).status).toBe(200);
  }, 150_000);
});
