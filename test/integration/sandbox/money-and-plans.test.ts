import { describe, expect, test } from 'vitest';
import { btcToMsat, faultMix, FAULTS, fixedFault, Ledger, msatToBtc } from '../../../src/providers/sandbox/index.ts';
import { sha256Hex } from './helpers.ts';

describe('BTC decimal strings', () => {
  test.each([
    [36000n, '0.00000036'],
    [0n, '0.00000000'],
    [36n, '0.00000000036'],
    [100_000_000_000n, '1.00000000'],
    [123_456_789_012_345n, '1234.56789012345'],
    [1_000n, '0.00000001'],
    [1_010n, '0.0000000101'],
  ])('%s msat → %s', (msat, text) => {
    expect(msatToBtc(msat)).toBe(text);
    expect(btcToMsat(text)).toBe(msat);
  });

  test('refuses sub-msat and non-decimal text', () => {
    expect(btcToMsat('0.000000000001')).toBeNull();
    expect(btcToMsat('0.000000000010')).toBe(1n);
    expect(btcToMsat('1e-8')).toBeNull();
    expect(btcToMsat('-1')).toBeNull();
    expect(btcToMsat('')).toBeNull();
  });
});

describe('fault plans', () => {
  test('faultMix is deterministic per payment hash and honours weights', () => {
    const plan = faultMix({ none: 3, refuse: 1 });
    const ctx = (i: number) => ({ provider: 'aurpay' as const, paymentHash: sha256Hex(`p${i}`), invoice: 'x' });
    const first = Array.from({ length: 400 }, (_, i) => plan.pick(ctx(i)));
    const again = Array.from({ length: 400 }, (_, i) => plan.pick(ctx(i)));
    expect(again).toEqual(first);
    const refused = first.filter((f) => f === 'refuse').length;
    expect(refused).toBeGreaterThan(60);
    expect(refused).toBeLessThan(140);
    expect(new Set(first)).toEqual(new Set(['none', 'refuse']));
  });

  test('faultMix rejects an empty mix; fixedFault always answers its fault', () => {
    expect(() => faultMix({})).toThrow();
    expect(() => faultMix({ none: 0 })).toThrow();
    for (const f of FAULTS) expect(fixedFault(f).pick({ provider: 'turinpay', paymentHash: 'ab', invoice: '' })).toBe(f);
  });
});

describe('ledger', () => {
  test('records every payment, finds duplicates across providers, totals in msat', () => {
    const ledger = new Ledger();
    ledger.record({ provider: 'aurpay', paymentHash: 'aa', invoice: 'i1', amountMsat: 1000n });
    ledger.record({ provider: 'turinpay', paymentHash: 'aa', invoice: 'i1', amountMsat: 1000n });
    ledger.record({ provider: 'turinpay', paymentHash: 'bb', invoice: 'i2', amountMsat: 5n });
    expect(ledger.payments()).toHaveLength(3);
    expect(ledger.paymentsFor('aa').map((p) => p.provider)).toEqual(['aurpay', 'turinpay']);
    expect(ledger.duplicates()).toEqual(['aa']);
    expect(ledger.totalPaidMsat()).toBe(2005n);
  });
});
