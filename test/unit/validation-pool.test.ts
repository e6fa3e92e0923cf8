/**
 * Batch validation in threads: the same answers as validating inline, in the items' order, and
 * nothing lost when an item cannot reach a thread or the source of items fails half-way.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { Logger } from '../../src/logger.ts';
import type { CheckContext } from '../../src/withdrawals/checks.ts';
import { regtestChecks } from '../support/check-context.ts';
import { createValidationPool } from '../../src/withdrawals/validation/pool.ts';
import { prevalidate, type Prevalidated } from '../../src/withdrawals/validation/prevalidate.ts';
import { validateWithdrawal } from '../../src/withdrawals/validation/validate.ts';
import { withdrawalBody } from '../support/invoices.ts';

const ctx = (): CheckContext => regtestChecks();

const refused = (i: number) => i % 7 === 6;

/** Valid bodies, with a refused one every seventh item (three reasons in turn). */
function mixedItems(n: number): unknown[] {
  return Array.from({ length: n }, (_, i) => {
    if (i % 21 === 6) return { id: `bad-${i}`, provider: 'turinpay' }; // neither invoice nor address
    if (i % 21 === 13) return { id: `inv-${i}`, provider: 'aurpay', invoice: 'lnbc1notaninvoice' };
    if (i % 21 === 20) return 'not an object';
    return withdrawalBody(i % 2 ? 'aurpay' : 'turinpay', BigInt(1000 + i)).body;
  });
}

const pool = createValidationPool({ threads: 2 });
afterAll(() => pool.close());

describe('validation pool', () => {
  it('answers exactly what inline validation answers, item by item', async () => {
    const items = mixedItems(300);
    const c = ctx();
    const before = pool.counts();
    const inThreads = await pool.validate(items, c);
    expect(pool.counts()).toEqual({ inThreads: before.inThreads + 300, inline: before.inline });
    expect(inThreads).toEqual(items.map((item) => validateWithdrawal(item, c)));
    expect(inThreads.map((v) => v.ok)).toEqual(items.map((_, i) => !refused(i)));
    // amounts survive the trip between threads as bigint
    const first = inThreads[0];
    expect(first?.ok && first.value.amountMsat).toBe(1000n);
  });

  it('validates inline what cannot be sent to a thread (a library caller passing a function), losing nothing', async () => {
    const good = withdrawalBody('turinpay').body;
    const before = pool.counts();
    const results = await pool.validate([good, { id: 'fn', provider: 'turinpay', invoice: () => 'x' }], ctx());
    expect(results[0]?.ok).toBe(true);
    expect(results[1]).toMatchObject({ ok: false, status: 400, error: { code: 'invalid_request' } });
    expect(pool.counts().inline).toBe(before.inline + 2);
    // Not a thread failure: the next items go to the threads again.
    await pool.validate([withdrawalBody('aurpay').body], ctx());
    expect(pool.counts().inThreads).toBe(before.inThreads + 1);
  });

  it('when its threads cannot start, validates in the calling thread from then on and says so once', async () => {
    const warnings: string[] = [];
    const logger = { warn: (_o: unknown, msg: string) => warnings.push(msg) } as unknown as Logger;
    const broken = createValidationPool({ threads: 1, logger, entry: new URL('../support/failing-thread.mjs', import.meta.url) });
    const items = mixedItems(40);
    const c = ctx();
    expect(await broken.validate(items, c)).toEqual(items.map((item) => validateWithdrawal(item, c)));
    expect(await broken.validate(items, c)).toEqual(items.map((item) => validateWithdrawal(item, c)));
    expect(broken.counts()).toEqual({ inThreads: 0, inline: 80 });
    expect(warnings).toEqual(['a validation thread failed; validating in the main thread from now on']);
    await broken.close();
  });

  it('with no threads, validates in the calling thread', async () => {
    const inline = createValidationPool({ threads: 0 });
    const items = mixedItems(30);
    const c = ctx();
    expect(await inline.validate(items, c)).toEqual(items.map((item) => validateWithdrawal(item, c)));
    expect(inline.counts()).toEqual({ inThreads: 0, inline: 30 });
    await inline.close();
  });
});

async function collect(source: AsyncIterable<Prevalidated>): Promise<{ got: Prevalidated[]; error: unknown }> {
  const got: Prevalidated[] = [];
  try {
    for await (const p of source) got.push(p);
  } catch (error) {
    return { got, error };
  }
  return { got, error: undefined };
}

describe('prevalidate', () => {
  it('yields every item in its order across many chunks, passing skipped items through unvalidated', async () => {
    const items: unknown[] = mixedItems(1000).map((item, i) => (i % 100 === 50 ? { skipped: i } : item));
    const { got, error } = await collect(prevalidate(items, pool, ctx, (item) => typeof item === 'object' && item !== null && 'skipped' in item));
    expect(error).toBeUndefined();
    expect(got.map((p) => p.item)).toEqual(items);
    got.forEach((p, i) => {
      if (i % 100 === 50) expect(p.validation).toBeUndefined();
      else expect(p.validation?.ok).toBe(validateWithdrawal(items[i], ctx()).ok);
    });
  });

  it('when the source fails half-way, yields every item read before the failure, then throws it', async () => {
    const items = mixedItems(700);
    async function* broken() {
      for (const item of items) yield item;
      throw new Error('connection reset');
    }
    const { got, error } = await collect(prevalidate(broken(), pool, ctx, () => false));
    expect(got.map((p) => p.item)).toEqual(items);
    expect(got.every((p) => p.validation !== undefined)).toBe(true);
    expect((error as Error).message).toBe('connection reset');
  });
});
