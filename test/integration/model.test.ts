/**
 * Model-based test of the payout interleavings: the real store, submit and settle processors,
 * sweep, failover and operators' actions, stepped in an order the fast-check scheduler picks,
 * against fake providers backed by one ledger of real payments (test/model/). After each run, the
 * money invariants are checked against that ledger and the store. Fixed seeds and a fixed budget
 * here; `npm run soak -- --minutes N` searches random seeds for longer.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

/** Fewest runs that must finish before the time limit on a busy machine. */
const MIN_RUNS = 10;

/**
 * Runs the property on a fixed seed: any counterexample fails with fast-check's report. A run cut
 * short by the time limit (a busy machine) passes only when at least MIN_RUNS runs finished.
 */
async function checkMoney(property: Parameters<typeof fc.check>[0], seed: number): Promise<void> {
  const details = await fc.check(property, { seed, numRuns: RUNS, skipAllAfterTimeLimit: TIME_LIMIT_MS });
  if (details.failed && details.counterexample !== null) throw new Error(fc.defaultReportMessage(details) ?? 'the money property failed');
  expect(details.numRuns, 'runs finished before the time limit').toBeGreaterThanOrEqual(MIN_RUNS);
}

describe('payout interleavings against a ledger of real payments', () => {
  it('never pays a withdrawal twice nor for a failed, cancelled or held one, when providers refuse only what they did not pay', async () => {
    await checkMoney(moneyProperty({ redis: t.redis, label: `${t.prefix}-explicit`, maxCommands: MAX_COMMANDS, ambiguousRefusals: false }), 20_260_121);
  }, 40_000);

  it('never pays a withdrawal twice nor for a failed, cancelled or held one, when a provider refuses after paying', async () => {
    await checkMoney(moneyProperty({ redis: t.redis, label: `${t.prefix}-ambiguous`, maxCommands: MAX_COMMANDS, ambiguousRefusals: true }), 20_260_122);
  }, 40_000);

  it('never pays a withdrawal twice nor for a failed one through approvals, reconciliation running out and resubmits', async () => {
    await checkMoney(
      moneyProperty({ redis: t.redis, label: `${t.prefix}-review`, maxCommands: MAX_COMMANDS, ambiguousRefusals: true, focus: 'review' }),
      20_261_206,
    );
  }, 40_000);
});
