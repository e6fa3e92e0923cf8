import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.ts';
import { partJobId } from '../../src/queues/names.ts';
import { BatchParts, OWN_JOB_ITEMS, PART_ITEMS, PARTS_PER_SIZE, partSize, type PartSlot } from '../../src/withdrawals/batch-parts.ts';

function collector(fail = false) {
  const added: { provider: string; jobId: string; ids: readonly string[] }[] = [];
  const parts = new BatchParts('b1', async (provider, jobId, ids) => {
    if (fail) throw new Error('Connection is closed.');
    added.push({ provider, jobId, ids });
  }, createLogger('silent'));
  return { parts, added };
}

/** The index of the first item of the first part of PART_ITEMS: every part before it is smaller. */
function firstFullPart(): number {
  let index = OWN_JOB_ITEMS;
  for (let seq = 0; partSize(seq) < PART_ITEMS; seq++) index += partSize(seq);
  return index;
}

/**
 * How a batch's items are dealt into submit jobs: the first ones alone, the rest in parts of
 * PART_ITEMS per provider, each part's jobs added once all its items are done with.
 */
describe('batch parts', () => {
  it(`gives the first ${OWN_JOB_ITEMS} items their own jobs and deals the rest in parts growing from one item to ${PART_ITEMS}`, () => {
    const { parts } = collector();
    const n = OWN_JOB_ITEMS + 3000;
    const slots = Array.from({ length: n }, (_, i) => parts.slot(i));
    expect(slots.slice(0, OWN_JOB_ITEMS).every((s) => s === null)).toBe(true);
    const sizes = new Map<string, number>();
    for (const s of slots.slice(OWN_JOB_ITEMS)) sizes.set(s!.jobId('aurpay'), (sizes.get(s!.jobId('aurpay')) ?? 0) + 1);
    const inOrder = [...sizes.values()];
    expect(inOrder.slice(0, PARTS_PER_SIZE)).toEqual(Array(PARTS_PER_SIZE).fill(1));
    expect(inOrder.slice(PARTS_PER_SIZE, 2 * PARTS_PER_SIZE)).toEqual(Array(PARTS_PER_SIZE).fill(2));
    expect(Math.max(...inOrder)).toBe(PART_ITEMS);
    expect(inOrder.every((size, seq) => size === partSize(seq) || seq === inOrder.length - 1)).toBe(true);
    expect([...sizes.keys()][0]).toBe(partJobId('b1', 'aurpay', 0));
  });

  it('adds a part once every item of it is done, one job per provider, with the withdrawals stored queued', async () => {
    const { parts, added } = collector();
    // Past the smaller parts, each dealt and done with nothing stored.
    const index = firstFullPart();
    for (let i = 0; i < index; i++) parts.slot(i)?.done();
    const slots: PartSlot[] = [];
    for (let i = 0; i < PART_ITEMS; i++) slots.push(parts.slot(index + i)!);
    expect(new Set(slots).size).toBe(1);
    added.length = 0;
    slots.forEach((s, i) => {
      // Every third item was refused (nothing stored): it joins nothing.
      if (i % 3 !== 0) s.join(i % 2 === 0 ? 'aurpay' : 'turinpay', `w${i}`);
    });
    for (const s of slots.slice(1)) s.done();
    // The next part has begun, but one item of the first is still being stored.
    parts.slot(index + PART_ITEMS);
    expect(added).toEqual([]);
    slots[0]!.done();
    await parts.finish();
    const byProvider = Object.fromEntries(added.map((a) => [a.provider, a]));
    expect(byProvider.aurpay?.ids).toEqual(['w2', 'w4', 'w8', 'w10', 'w14']);
    expect(byProvider.turinpay?.ids).toEqual(['w1', 'w5', 'w7', 'w11', 'w13']);
    expect(byProvider.aurpay?.jobId).toBe(slots[0]!.jobId('aurpay'));
    // The second part's one item joined nothing (it was never done): no job for it.
    expect(added).toHaveLength(2);
  });

  it('adds the last part when the batch ends, and keeps going when a job cannot be added (the sweep restores it)', async () => {
    const ok = collector();
    const last = ok.parts.slot(OWN_JOB_ITEMS + 3)!;
    last.join('aurpay', 'w1');
    last.done();
    expect(ok.added).toEqual([]);
    await ok.parts.finish();
    expect(ok.added.map((a) => a.ids)).toEqual([['w1']]);

    const down = collector(true);
    const s = down.parts.slot(OWN_JOB_ITEMS)!;
    s.join('aurpay', 'w1');
    s.done();
    await expect(down.parts.finish()).resolves.toBeUndefined();
  });

  it('names a part by its batch and provider: a withdrawal that failed over is never taken for another queue’s member', () => {
    expect(partJobId('b1', 'aurpay', 3)).not.toBe(partJobId('b1', 'turinpay', 3));
    expect(partJobId('b:1', 'aurpay', 0)).not.toContain(':');
  });
});
