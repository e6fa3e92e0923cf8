/**
 * A provider's fleet-wide request budget (take-request.lua, GCRA in Redis): a burst, then one
 * request per interval, counted across every caller; a caller turned away is told how long to wait
 * and takes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProviderBudget } from '../../src/queues/provider-budget.ts';
import { testRedis, type TestRedis } from '../support/redis.ts';

let t: TestRedis;

beforeAll(async () => {
  t = await testRedis('provider-budget');
});
afterAll(async () => t.cleanup());

describe("a provider's request budget", () => {
  it('sends a burst at once, then tells callers how long to wait, counting nothing for them', async () => {
    const budget = createProviderBudget({ redis: t.redis, keys: t.keys, provider: 'turinpay', perSecond: 20 });
    // 20/s: one request each 50 ms, a burst of 250 ms: the first five or six go at once.
    const waits: number[] = [];
    const started = Date.now();
    for (let i = 0; i < 10; i++) waits.push(await budget.take());
    const elapsed = Date.now() - started;
    const sent = waits.filter((ms) => ms === 0).length;
    expect(sent).toBeGreaterThanOrEqual(5);
    // The burst and the first, plus one for each interval the calls took.
    expect(sent).toBeLessThanOrEqual(7 + Math.floor(elapsed / 50));
    const refused = waits.filter((ms) => ms > 0);
    expect(refused.length).toBe(10 - sent);
    // Refusals took nothing: each still waits about one interval, not one per refusal before it.
    for (const ms of refused) expect(ms).toBeLessThanOrEqual(60);
  });

  it('counts two processes\' requests in one budget', async () => {
    const other = t.redis.duplicate();
    try {
      const one = createProviderBudget({ redis: t.redis, keys: t.keys, provider: 'aurpay', perSecond: 20 });
      const two = createProviderBudget({ redis: other, keys: t.keys, provider: 'aurpay', perSecond: 20 });
      const waits: number[] = [];
      const started = Date.now();
      for (let i = 0; i < 10; i++) waits.push(await (i % 2 ? two : one).take());
      const elapsed = Date.now() - started;
      const sent = waits.filter((ms) => ms === 0).length;
      // As many as one caller alone gets: the burst, not a burst each.
      expect(sent).toBeGreaterThanOrEqual(5);
      expect(sent).toBeLessThanOrEqual(7 + Math.floor(elapsed / 50));
    } finally {
      other.disconnect();
    }
  });
});
