/**
 * SIGTERM to a busy worker process: it stops taking work, lets its in-flight provider calls end
 * (answered, or recorded `unknown` on timeout), exits 0 and leaves everything else untouched; a new
 * worker then finishes the batch with no double payment.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Status } from '../../src/withdrawals/status.ts';
import { audit } from './audit.ts';
import { chaosFaults, makeItems, sleep, startStack, waitForBatch, type Stack } from './harness.ts';

const COUNT = 150;

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ sandbox: { faults: { aurpay: chaosFaults(), turinpay: chaosFaults() }, latencyMs: 300 } });
});
afterAll(async () => stack?.close());

type Counts = Record<'aurpay' | 'turinpay', Record<Status, number>>;
const total = (c: Counts, s: Status) => c.aurpay[s] + c.turinpay[s];

/** Every record's status and history length: any change by anyone shows up here. */
async function snapshot(ids: string[]): Promise<string[]> {
  const recs = await Promise.all(ids.map((id) => stack.store.get(id)));
  return recs.map((r, i) => `${ids[i]}:${r?.status}:${r?.history.length}`);
}

describe('SIGTERM to a worker process under load', () => {
  it('finishes in-flight calls, changes nothing else, exits 0, and a new worker carries on', async () => {
    const first = await stack.startWorker('worker-1', ['--concurrency', '3']);
    const { items, hashes } = makeItems('term', COUNT, 3600);
    const ids = [...hashes.keys()];
    expect((await stack.call('POST', '/v1/batches', { id: 'term-batch', items })).status).toBe(202);

    // Mid-batch: some payouts done, many still waiting, some provider calls in flight.
    const deadline = Date.now() + 30_000;
    for (;;) {
      const c = await stack.store.countByStatus(['aurpay', 'turinpay'] as const);
      if (total(c, 'queued') < COUNT - 20 && total(c, 'submitting') > 0) break;
      if (Date.now() > deadline) throw new Error(`the worker never got going: ${JSON.stringify(c)}`);
      await sleep(50);
    }
    const exit = await first.stop('SIGTERM', 30_000);
    expect(exit).toEqual({ code: 0, signal: null });
    const line = await first.waitForLine(/workers closing/);
    const closingAt = Date.parse(String(JSON.parse(line).time));

    const after = await stack.store.countByStatus(['aurpay', 'turinpay'] as const);
    expect(total(after, 'submitting')).toBe(0);
    expect(total(after, 'queued')).toBeGreaterThan(0);
    const before = await snapshot(ids);
    await sleep(1500);
    expect(await snapshot(ids)).toEqual(before);

    // No provider call began once the workers were closing: a job BullMQ had already fetched was
    // fenced but put back (`submitting -> queued`, not sent) instead of being submitted.
    const recs = await Promise.all(ids.map((id) => stack.store.get(id)));
    const late = recs.flatMap((r) => {
      const h = r?.history ?? [];
      return h.flatMap((e, k) => (e.status === 'submitting' && Date.parse(e.at) > closingAt ? [{ id: r?.id, next: h[k + 1] }] : []));
    });
    const putBack = late.filter((l) => l.next?.status === 'queued' && /worker is stopping/.test(l.next.cause ?? ''));
    expect(late.filter((l) => !putBack.includes(l))).toEqual([]);

    await stack.startWorker('worker-2');
    const summary = await waitForBatch(stack, 'term-batch', 60_000);
    expect(summary.total).toBe(COUNT);
    const a = await audit(stack.store, stack.sandbox, hashes);
    console.info(`graceful suite: ${putBack.length} fetched jobs put back unsent; after SIGTERM ${JSON.stringify(after)}; end ${JSON.stringify(a.byStatus)}, ${a.payments} payments`);
    expect(a.problems).toEqual([]);
  }, 120_000);
});
