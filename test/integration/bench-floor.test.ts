/**
 * The bench's floor (bench/floor-writes.ts) makes, per payout, the two transitions the contract asks:
 * if the store's scripts change, the floor still measures what a payout costs, or fails loudly.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contractWrites, storeFloorRecords } from '../../bench/floor-writes.ts';
import { BUILTIN_PROVIDER_NAMES } from '../../src/providers/index.ts';
import { createStore, type WithdrawalStore } from '../../src/withdrawals/store.ts';
import { testRedis, type TestRedis } from '../support/redis.ts';

let t: TestRedis;
let store: WithdrawalStore;
beforeAll(async () => {
  t = await testRedis('floor');
  store = createStore({ redis: t.redis, keys: t.keys, eventsMaxLen: 0, providers: BUILTIN_PROVIDER_NAMES });
});
afterAll(async () => t.cleanup());

const items = ['f-0', 'f-1', 'f-2'].map((id, i) => ({
  id,
  invoice: `lnbcrt${i}0n1floor`,
  paymentHash: createHash('sha256').update(id).digest('hex'),
  amountMsat: BigInt(1000 + i),
}));

describe("the bench's floor", () => {
  it('stores a sealed batch of queued payouts, fences each, records it succeeded, and the batch ends done', async () => {
    await storeFloorRecords(t.redis, t.prefix, 'fb', items);
    expect((await store.read('f-0'))?.status).toBe('queued');
    const writes = contractWrites(t.redis, t.prefix, 'fb');
    for (const { id } of items) {
      await writes.fence(id, `fence-${id}`);
      expect(await store.read(id)).toMatchObject({ status: 'submitting', fence: `fence-${id}`, attempts: 1 });
      await writes.outcome(id, `fence-${id}`);
      expect((await store.read(id))?.status).toBe('succeeded');
    }
    expect(await store.batchSummary('fb')).toMatchObject({ total: 3, byStatus: { succeeded: 3 }, done: true });
    // The last move found the sealed batch done, as the project's last payout does.
    expect(await t.redis.hget(t.keys.batch('fb'), 'doneAt')).toBeTruthy();
  });

  it('throws when a transition is refused (an outcome under another fence), so a broken floor stops the bench', async () => {
    await storeFloorRecords(t.redis, t.prefix, 'fb2', [{ ...items[0]!, id: 'g-0', paymentHash: 'aa'.repeat(32) }]);
    const writes = contractWrites(t.redis, t.prefix, 'fb2');
    await writes.fence('g-0', 'mine');
    await expect(writes.outcome('g-0', 'another')).rejects.toThrow(/outcome refused/);
  });
});
