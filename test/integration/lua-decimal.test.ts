import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testRedis, type TestRedis } from '../support/redis.ts';

/** decimal.lua, run by Redis itself, against BigInt on random amounts of any length. */
const decimal = readFileSync(new URL('../../src/withdrawals/lua/decimal.lua', import.meta.url), 'utf8');
const SCRIPT = `${decimal}
local op, a, b = ARGV[1], ARGV[2], ARGV[3]
if op == 'add' then return dec_add(a, b) end
if op == 'sub' then return dec_sub(a, b) end
if op == 'cmp' then return dec_cmp(a, b) end
if op == 'valid' then return dec_valid(a) and 1 or 0 end
if op == 'msat' then return msat_valid(a) and 1 or 0 end
if op == 'hadd' then return dec_hadd(KEYS[1], 'f', a) end
if op == 'hsub' then return dec_hsub(KEYS[1], 'f', a) end
`;
const RUNS = 300;
const SUPPLY_MSAT = 2_100_000_000_000_000_000n;

let t: TestRedis;
beforeAll(async () => {
  t = await testRedis('lua-decimal');
});
afterAll(async () => t.cleanup());

const run = (op: string, a: string, b = '0', key = `{${t.prefix}}:none`) => t.redis.eval(SCRIPT, 1, key, op, a, b);

/** Amounts of every size: a few digits, past 2^53, past 2^64, 21 million BTC and far beyond. */
const amount = fc.oneof(
  fc.bigInt({ min: 0n, max: 1000n }),
  fc.bigInt({ min: 0n, max: 2n ** 64n }),
  fc.bigInt({ min: SUPPLY_MSAT - 1000n, max: SUPPLY_MSAT + 1000n }),
  fc.bigInt({ min: 0n, max: 10n ** 60n }),
);

describe('decimal.lua against BigInt', () => {
  it('dec_add is the exact sum, past 1e14, 2^63 and 21 million BTC', async () => {
    await fc.assert(
      fc.asyncProperty(amount, amount, async (a, b) => {
        expect(await run('add', String(a), String(b))).toBe(String(a + b));
      }),
      { numRuns: RUNS },
    );
  });

  it('dec_sub is the exact difference when a >= b, and an error otherwise', async () => {
    await fc.assert(
      fc.asyncProperty(amount, amount, async (x, y) => {
        const [a, b] = x >= y ? [x, y] : [y, x];
        expect(await run('sub', String(a), String(b))).toBe(String(a - b));
        if (a !== b) await expect(run('sub', String(b), String(a))).rejects.toThrow(/negative difference/);
      }),
      { numRuns: RUNS },
    );
  });

  it('dec_cmp orders like BigInt, equal lengths and equal values included', async () => {
    const close = amount.chain((a) => fc.tuple(fc.constant(a), fc.oneof(fc.constant(a), fc.bigInt({ min: a > 10n ? a - 10n : 0n, max: a + 10n }), amount)));
    await fc.assert(
      fc.asyncProperty(close, async ([a, b]) => {
        expect(await run('cmp', String(a), String(b))).toBe(a < b ? -1 : a > b ? 1 : 0);
      }),
      { numRuns: RUNS },
    );
  });

  it('dec_valid takes digits without sign or leading zero, and nothing else', async () => {
    const text = fc.stringMatching(/^[-+0-9 .e]{0,24}$/);
    await fc.assert(
      fc.asyncProperty(text, async (s) => {
        expect(await run('valid', s)).toBe(/^(0|[1-9][0-9]*)$/.test(s) ? 1 : 0);
      }),
      { numRuns: RUNS },
    );
    for (const s of ['0', '7', '2100000000000000000', '1'.repeat(80)]) expect(await run('valid', s)).toBe(1);
    for (const s of ['', '00', '01', '-1', '+1', '1e+14', '4.2e+18', ' 1', '1 ', '1.0']) expect(await run('valid', s)).toBe(0);
  });

  it('msat_valid takes a decimal of at most 21 million BTC', async () => {
    await fc.assert(
      fc.asyncProperty(amount, async (a) => {
        expect(await run('msat', String(a))).toBe(a <= SUPPLY_MSAT ? 1 : 0);
      }),
      { numRuns: RUNS },
    );
    expect(await run('msat', String(SUPPLY_MSAT))).toBe(1);
    expect(await run('msat', String(SUPPLY_MSAT + 1n))).toBe(0);
  });

  it('refuses a number written another way than a decimal, whatever the operation', async () => {
    await expect(run('add', '1e+14', '1')).rejects.toThrow(/not a decimal/);
    await expect(run('cmp', '4.2e+18', '1')).rejects.toThrow(/not a decimal/);
    await expect(run('sub', '10', '-1')).rejects.toThrow(/not a decimal/);
  });
});

describe('decimal.lua on hash fields', () => {
  it('dec_hadd and dec_hsub keep a field exact (absent is 0), never below 0, and write nothing for 0', async () => {
    const key = `{${t.prefix}}:budget`;
    let expected = 0n;
    await fc.assert(
      fc.asyncProperty(amount, fc.boolean(), async (x, add) => {
        const answer = await run(add ? 'hadd' : 'hsub', String(x), '0', key);
        expected = add ? expected + x : expected > x ? expected - x : 0n;
        expect(answer).toBe(String(expected));
        expect((await t.redis.hget(key, 'f')) ?? '0').toBe(String(expected));
      }),
      { numRuns: RUNS },
    );
    const untouched = `{${t.prefix}}:untouched`;
    expect(await run('hadd', '0', '0', untouched)).toBe('0');
    expect(await run('hsub', '0', '0', untouched)).toBe('0');
    expect(await t.redis.exists(untouched)).toBe(0);
  });

  it('adds to a field HINCRBY wrote (the same digits)', async () => {
    const key = `{${t.prefix}}:legacy`;
    await t.redis.hincrby(key, 'f', 99_999_999_999_999);
    expect(await run('hadd', '1', '0', key)).toBe('100000000000000');
    expect(await run('hadd', String(SUPPLY_MSAT * 5n), '0', key)).toBe(String(SUPPLY_MSAT * 5n + 100_000_000_000_000n));
  });
});
