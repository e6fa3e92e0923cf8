/**
 * Redis itself crashes (SIGKILL) mid-batch and comes back on the same port from its AOF
 * (`appendfsync always`). The API and worker processes must recover on their own, and every
 * withdrawal answered 202 must reach the end, paid at most once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { audit } from './audit.ts';
import { chaosFaults, makeItems, sleep, startStack, waitForBatch, type Item, type Stack } from './harness.ts';

const COUNT = 300;
const EXPIRY_S = 40;

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({
    redisArgs: ['--appendonly', 'yes', '--appendfsync', 'always'],
    sandbox: { faults: { aurpay: chaosFaults(), turinpay: chaosFaults() }, latencyMs: 250 },
  });
});
afterAll(async () => stack?.close());

/**
 * Single POSTs while Redis is down and coming back. A refused one (503) is sent again with the same
 * id, as the contract tells producers to, until it is accepted; every accepted id is tracked.
 */
async function postSingles(tracked: Map<string, string>, stop: () => boolean): Promise<{ accepted: number; unavailable: number; other: number }> {
  const tally = { accepted: 0, unavailable: 0, other: 0 };
  let n = 0;
  let pending: { item: Item; hash: string } | null = null;
  const deadline = Date.now() + 60_000;
  while (!stop() || pending) {
    if (Date.now() > deadline) throw new Error(`a single POST was never accepted: ${JSON.stringify(tally)}`);
    if (!pending) {
      const { items, hashes } = makeItems(`single-${n++}`, 1, EXPIRY_S);
      const item = items[0];
      const hash = item && hashes.get(item.id);
      if (!item || !hash) throw new Error('makeItems returned nothing');
      pending = { item, hash };
    }
    const res = await stack.call('POST', '/v1/withdrawals', pending.item).catch(() => null);
    if (res?.status === 202 || res?.status === 200) {
      tally.accepted++;
      tracked.set(pending.item.id, pending.hash);
      pending = null;
    } else if (res?.status === 503) {
      tally.unavailable++;
    } else {
      tally.other++;
    }
    await sleep(100);
  }
  return tally;
}

describe('Redis killed with SIGKILL and restarted from its AOF mid-batch', () => {
  it('loses nothing that was accepted and pays nothing twice', async () => {
    const workers = await Promise.all([stack.startWorker('worker-a', ['--concurrency', '4']), stack.startWorker('worker-b', ['--concurrency', '4'])]);
    const { items, hashes } = makeItems('aof', COUNT, EXPIRY_S);
    const res = await stack.call('POST', '/v1/batches', { id: 'aof-batch', items });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ accepted: COUNT, rejected: [] });

    // Let submits get going, then pull the plug while provider calls are in flight.
    await sleep(1500);
    const singles = new Map<string, string>();
    let keepPosting = true;
    const counts = await stack.store.countByStatus(['aurpay', 'turinpay'] as const);
    const open = (['queued', 'submitting', 'submitted', 'unknown'] as const).reduce((n, st) => n + counts.aurpay[st] + counts.turinpay[st], 0);
    const posting = postSingles(singles, () => !keepPosting);
    await stack.killRedis();
    await sleep(2500);
    await stack.restartRedis();
    // Keep posting until the API has visibly recovered (three more accepted), or give up after 20 s.
    const [restartedAt, acceptedBefore] = [Date.now(), singles.size];
    while (singles.size < acceptedBefore + 3 && Date.now() - restartedAt < 20_000) await sleep(100);
    keepPosting = false;
    const tally = await posting;

    const summary = await waitForBatch(stack, 'aof-batch', (EXPIRY_S + 45) * 1000);
    expect(summary.total).toBe(COUNT);
    expect(Object.values(summary.byStatus).reduce((s, n) => s + n, 0)).toBe(COUNT);
    const all = new Map([...hashes, ...singles]);
    // Singles are not in the batch: wait for them too.
    const deadline = Date.now() + 30_000;
    let a = await audit(stack.store, stack.sandbox, all);
    while (a.problems.some((p) => /still/.test(p)) && Date.now() < deadline) {
      await sleep(500);
      a = await audit(stack.store, stack.sandbox, all);
    }
    console.info(`redis suite: ${open} payouts in flight when Redis died; ${tally.accepted} singles accepted, ${tally.unavailable} answers 503 and ${tally.other} others around the outage; ${JSON.stringify(a.byStatus)}; ` +
      `${a.payments} payments, ${a.submitRequests} submit requests for ${a.fencedAttempts} fenced attempts`);
    expect(a.problems).toEqual([]);
    expect(open).toBeGreaterThan(50);
    expect(tally.unavailable).toBeGreaterThan(0);
    expect(tally.accepted).toBeGreaterThan(0);
    expect(summary.byStatus.succeeded ?? 0).toBeGreaterThan(COUNT / 2);
    // The processes are still the same ones: they recovered without a restart.
    expect([stack.api.proc, ...workers].map((p) => p.running())).toEqual([true, true, true]);
    expect((await fetch(`${stack.api.baseUrl}/readyz`)).status).toBe(200);
  }, 150_000);
});
