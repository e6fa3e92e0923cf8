/**
 * The request's bounds (interface.md "Limits"): metadata at most 8 KiB as JSON and 5 levels deep,
 * amounts never above 21 million BTC, MAX_AMOUNT_MSAT included; and REQUEST_TIMEOUT_MS read.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { payeeInvoice } from '../../src/demo/payee.ts';
import { checkWithdrawal, type CheckContext } from '../../src/withdrawals/checks.ts';
import { regtestChecks } from '../support/check-context.ts';
import { measureJson, METADATA_MAX_BYTES } from '../../src/withdrawals/metadata.ts';
import { withdrawalRequestSchema } from '../../src/withdrawals/request.ts';
import { validateWithdrawal } from '../../src/withdrawals/validation/validate.ts';

const SUPPLY = '2100000000000000000';
const ctx = (maxAmountMsat: bigint | null = null): CheckContext => regtestChecks({ maxAmountMsat });
const base = { id: 'limits-1', provider: 'aurpay', invoice: 'lnbcrt1x' };

/** Nested `levels` levels deep: the object itself is level 1. */
function nested(levels: number, leaf: unknown = 1): Record<string, unknown> {
  let v: unknown = leaf;
  for (let i = 1; i < levels; i++) v = { l: v };
  return { l: v };
}

function metadataIssues(metadata: unknown): string[] {
  const r = withdrawalRequestSchema.safeParse({ ...base, metadata });
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

describe('metadata', () => {
  it('accepts 5 levels, refuses 6, naming metadata', () => {
    expect(metadataIssues(nested(5))).toEqual([]);
    expect(metadataIssues({ a: [[{ b: [1] }]] })).toEqual([]);
    expect(metadataIssues(nested(6))).toEqual(['metadata: metadata is nested more than 5 levels deep (the object itself is level 1)']);
    expect(metadataIssues({ a: [[[[[1]]]]] })).toHaveLength(1);
  });

  it('accepts 8192 bytes as JSON and refuses 8193, counting UTF-8 bytes and escapes', () => {
    const exact = (filler: string) => ({ k: filler });
    // {"k":"…"} is 8 bytes around the text.
    expect(metadataIssues(exact('x'.repeat(METADATA_MAX_BYTES - 8)))).toEqual([]);
    expect(metadataIssues(exact('x'.repeat(METADATA_MAX_BYTES - 7)))).toEqual(['metadata: metadata is larger than 8192 bytes as JSON']);
    // é is 2 bytes in UTF-8, a quote 2 bytes as JSON (\").
    expect(metadataIssues(exact('é'.repeat((METADATA_MAX_BYTES - 8) / 2)))).toEqual([]);
    expect(metadataIssues(exact('"'.repeat((METADATA_MAX_BYTES - 8) / 2 + 1)))).toHaveLength(1);
  });

  it('measures exactly what JSON.stringify writes, for every JSON object within the bounds', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 3 })), (value) => {
        const bytes = Buffer.byteLength(JSON.stringify(value));
        const measured = measureJson(value, { maxBytes: 1_000_000, maxDepth: 10 });
        expect(measured).toEqual({ ok: true, bytes });
        const bounded = measureJson(value, { maxBytes: bytes - 1, maxDepth: 10 });
        expect(bounded.ok).toBe(false);
      }),
      { numRuns: 500 },
    );
  });

  it('refuses 20,000 nested arrays or 200,000 keys at once, without recursion or stringify', () => {
    let deep: unknown = [];
    for (let i = 0; i < 20_000; i++) deep = [deep];
    const wide: Record<string, number> = {};
    for (let i = 0; i < 200_000; i++) wide[`k${i}`] = i;
    const started = Date.now();
    expect(metadataIssues({ deep })).toHaveLength(1);
    expect(metadataIssues(wide)).toEqual(['metadata: metadata is larger than 8192 bytes as JSON']);
    expect(metadataIssues({ s: 'x'.repeat(50_000_000) })).toHaveLength(1);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('refuses what is not JSON: arrays at the top, non-finite numbers, functions, bigints, class instances', () => {
    for (const metadata of [[1], 'text', { n: Number.NaN }, { f: () => 1 }, { b: 1n }, { d: new Date(0) }, { m: new Map() }]) {
      expect(metadataIssues(metadata), String(metadata)).not.toEqual([]);
    }
    expect(metadataIssues({ skipped: undefined, nul: null, list: [null, true, false, -0, 1e21] })).toEqual([]);
  });

  it('a deep metadata refuses the withdrawal with a 400 invalid_request, and validation does not throw', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 20_000; i++) deep = [deep];
    const { invoice } = payeeInvoice({ network: 'regtest', amountMsat: 1000n });
    const v = validateWithdrawal({ ...base, invoice, metadata: { deep } }, ctx());
    expect(v).toMatchObject({ ok: false, status: 400, error: { code: 'invalid_request' } });
    expect(!v.ok && v.error.issues.map((i) => i.path)).toEqual(['metadata']);
  });
});

describe('amountMsat', () => {
  it('accepts up to 21 million BTC and refuses one msat more, with invalid_request', () => {
    const parse = (amountMsat: string) => withdrawalRequestSchema.safeParse({ ...base, amountMsat }).success;
    expect(parse(SUPPLY)).toBe(true);
    expect(parse('999999999999999999')).toBe(true);
    expect(parse('1999999999999999999')).toBe(true);
    expect(parse('2099999999999999999')).toBe(true);
    expect(parse('2100000000000000001')).toBe(false);
    expect(parse('2200000000000000000')).toBe(false);
    expect(parse('9999999999999999999')).toBe(false);
    expect(parse(`1${'0'.repeat(30)}`)).toBe(false);
    expect(parse('0')).toBe(true);
    expect(parse('01')).toBe(false);
  });

  it('matches a comparison with the ceiling on every whole number', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 22n }), (n) => {
        expect(withdrawalRequestSchema.safeParse({ ...base, amountMsat: n.toString() }).success).toBe(n <= BigInt(SUPPLY));
      }),
      { numRuns: 1000 },
    );
    for (const edge of [BigInt(SUPPLY) - 1n, BigInt(SUPPLY), BigInt(SUPPLY) + 1n, 10n ** 18n, 2n * 10n ** 18n]) {
      expect(withdrawalRequestSchema.safeParse({ ...base, amountMsat: edge.toString() }).success).toBe(edge <= BigInt(SUPPLY));
    }
  });

  it('an amountless invoice with 10^30 msat is refused by the checks too, with or without MAX_AMOUNT_MSAT', () => {
    const { invoice } = payeeInvoice({ network: 'regtest', amountMsat: null });
    const req = { id: 'huge-1', provider: 'aurpay' as const, invoice, amountMsat: (10n ** 30n).toString() };
    for (const max of [null, 10n ** 40n, 5000n]) {
      expect(checkWithdrawal(req, ctx(max)), String(max)).toMatchObject({ ok: false, code: 'invalid_request', field: 'amountMsat' });
    }
    expect(checkWithdrawal({ ...req, amountMsat: SUPPLY }, ctx())).toMatchObject({ ok: true });
    expect(checkWithdrawal({ ...req, amountMsat: (BigInt(SUPPLY) + 1n).toString() }, ctx(10n ** 40n))).toMatchObject({ ok: false });
  });
});

describe('configuration', () => {
  it('refuses MAX_AMOUNT_MSAT above 21 million BTC, naming the variable', () => {
    expect(loadConfig({ MAX_AMOUNT_MSAT: SUPPLY }).MAX_AMOUNT_MSAT).toBe(BigInt(SUPPLY));
    for (const value of [(BigInt(SUPPLY) + 1n).toString(), `1${'0'.repeat(30)}`]) {
      expect(() => loadConfig({ MAX_AMOUNT_MSAT: value })).toThrow(ConfigError);
      expect(() => loadConfig({ MAX_AMOUNT_MSAT: value })).toThrow(/MAX_AMOUNT_MSAT: must be at most 2100000000000000000/);
    }
  });

  it('reads REQUEST_TIMEOUT_MS: 60000 by default, 1000 to 3600000', () => {
    expect(loadConfig({}).REQUEST_TIMEOUT_MS).toBe(60_000);
    expect(loadConfig({ REQUEST_TIMEOUT_MS: '1000' }).REQUEST_TIMEOUT_MS).toBe(1000);
    for (const value of ['999', '3600001', 'soon']) expect(() => loadConfig({ REQUEST_TIMEOUT_MS: value })).toThrow(/REQUEST_TIMEOUT_MS:/);
  });

  it('reads the per-caller budgets with their defaults: no rate limit, 64 in flight per token, 100 wrong tokens a minute, 2048 connections', () => {
    const c = loadConfig({});
    expect([c.API_RATE_LIMIT_PER_S, c.API_MAX_CONCURRENT_PER_TOKEN, c.API_AUTH_FAILURES_PER_MIN, c.API_MAX_CONNECTIONS]).toEqual([null, 64, 100, 2048]);
    expect(loadConfig({ API_RATE_LIMIT_PER_S: '25' }).API_RATE_LIMIT_PER_S).toBe(25);
    for (const name of ['API_RATE_LIMIT_PER_S', 'API_MAX_CONCURRENT_PER_TOKEN', 'API_AUTH_FAILURES_PER_MIN', 'API_MAX_CONNECTIONS']) {
      for (const value of ['0', '-1', '1.5', 'many']) expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`${name}:`));
    }
  });
});
