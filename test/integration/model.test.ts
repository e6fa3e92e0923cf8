/**
 * Model-based test of the payout interleavings: the real store, submit and settle processors,
 * sweep, failover and operators' actions, stepped in an order the fast-check scheduler picks,
 * against fake providers backed by one ledger of real payments (test/model/). After each run, the
 * money invariants are checked against that ledger and the store. Fixed seeds and a fixed budget
 * here; `npm run soak -- --minutes N` searches random seeds for longer.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { moneyProperty } from '../model/property.ts';
import { testRedis, type TestRedis } from '../support/redis.ts';

let t: TestRedis;

beforeAll(async () => {
  t = await testRedis('model');
});
afterAll(async () => {
  await t.cleanup();
});

const RUNS = 70;
const MAX_COMMANDS = 50;
/** Shrinking a failure stops after this; the report still gives its seed and path to replay. */
const TIME_LIMIT_MS = 20_000;

describe('payout interleavings against a ledger of real payments', () => {
  it('never pays a withdrawal twice nor for a failed, cancelled or held one, when providers refuse only what they did not pay', async () => {
    await fc.assert(moneyProperty({ redis: t.redis, label: `${t.prefix}-explicit`, maxCommands: MAX_COMMANDS, ambiguousRefusals: false }), {
      seed: 20_260_121,
      numRuns: RUNS,
      skipAllAfterTimeLimit: TIME_LIMIT_MS,
    });
  }, 40_000);

  it('never pays a withdrawal twice nor for a failed, cancelled or held one, when a provider refuses after paying', async () => {
    await fc.assert(moneyProperty({ redis: t.redis, label: `${t.prefix}-ambiguous`, maxCommands: MAX_COMMANDS, ambiguousRefusals: true }), {
      seed: 20_260_122,
      numRuns: RUNS,
      skipAllAfterTimeLimit: TIME_LIMIT_MS,
    });
  }, 40_000);
});
