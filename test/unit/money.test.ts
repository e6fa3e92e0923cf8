import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MoneyError, btcToMsat, msatToBtc, msatToSats, parseMsat, satsToMsat } from '../../src/money.ts';

const msat = fc.bigInt({ min: 0n, max: 2n ** 80n });

describe('btcToMsat', () => {
  it.each([
    ['0', 0n],
    ['1', 100_000_000_000n],
    ['0.00017293', 17_293_000n],
    ['0.00004321', 4_321_000n],
    ['0.00277925368', 277_925_368n],
    ['0.00000000001', 1n],
    ['21000000.00000000000', 2_100_000_000_000_000_000n],
    ['0.1', 10_000_000_000n],
  ])('%s BTC is %s msat', (btc, expected) => {
    expect(btcToMsat(btc)).toBe(expected);
  });

  it.each([
    '',
    ' 1',
    '1 ',
    '-1',
    '+1',
    '-0.0001',
    '1e-8',
    '1E3',
    '0x10',
    '.5',
    '1.',
    '01',
    '00.1',
    '1,5',
    'NaN',
    'Infinity',
    'abc',
    '0.000000000001',
    '0.000000000010',
    '1.123456789012',
  ])('refuses %j and names it', (bad) => {
    expect(() => btcToMsat(bad)).toThrow(MoneyError);
    expect(() => btcToMsat(bad)).toThrow(JSON.stringify(bad));
  });

  it('refuses non-strings at run time', () => {
    // Untyped callers (parsed JSON) can pass a number; Reflect.apply gets one past the type checker.
    expect(() => Reflect.apply(btcToMsat, undefined, [0.1])).toThrow(/decimal string, got 0.1/);
  });
});

describe('msatToBtc', () => {
  it.each([
    [0n, '0.00000000'],
    [17_293_000n, '0.00017293'],
    [1n, '0.00000000001'],
    [10n, '0.0000000001'],
    [1000n, '0.00000001'],
    [100_000_000_000n, '1.00000000'],
    [277_925_368n, '0.00277925368'],
  ])('%s msat is %s BTC', (amount, expected) => {
    expect(msatToBtc(amount)).toBe(expected);
  });

  it('refuses negatives', () => {
    expect(() => msatToBtc(-1n)).toThrow(MoneyError);
  });

  it('property: 8 to 11 decimals, no trailing zero past the 8th, round trips', () => {
    fc.assert(
      fc.property(msat, (m) => {
        const btc = msatToBtc(m);
        expect(btc).toMatch(/^(0|[1-9][0-9]*)\.[0-9]{8}([0-9]{0,2}[1-9])?$/);
        expect(btcToMsat(btc)).toBe(m);
      }),
    );
  });
});

describe('satsToMsat / msatToSats', () => {
  it('converts integers of every accepted type', () => {
    expect(satsToMsat(36)).toBe(36_000n);
    expect(satsToMsat('36')).toBe(36_000n);
    expect(satsToMsat(36n)).toBe(36_000n);
    expect(satsToMsat(0)).toBe(0n);
    expect(msatToSats(36_000n)).toBe(36n);
  });

  it.each([1.5, -1, Number.MAX_SAFE_INTEGER + 1, Number.NaN, Number.POSITIVE_INFINITY, '1.5', '-1', '01', '', '1e3', ' 1', -1n])(
    'refuses %s',
    (bad) => {
      expect(() => satsToMsat(bad)).toThrow(MoneyError);
    },
  );

  it('refuses sub-satoshi precision and negatives', () => {
    expect(() => msatToSats(36_001n)).toThrow(/36001 msat is not a whole number of satoshis/);
    expect(() => msatToSats(-1000n)).toThrow(MoneyError);
  });

  it('property: sats round trip through msat', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 2n ** 70n }), (sats) => {
        expect(msatToSats(satsToMsat(sats))).toBe(sats);
        expect(satsToMsat(sats.toString())).toBe(sats * 1000n);
      }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), (n) => {
        expect(satsToMsat(n)).toBe(BigInt(n) * 1000n);
      }),
    );
  });

  it('property: any msat not a multiple of 1000 is refused', () => {
    fc.assert(
      fc.property(
        msat.filter((m) => m % 1000n !== 0n),
        (m) => {
          expect(() => msatToSats(m)).toThrow(MoneyError);
        },
      ),
    );
  });
});

describe('parseMsat', () => {
  it('parses digit strings exactly', () => {
    expect(parseMsat('36000')).toBe(36_000n);
    expect(parseMsat('0')).toBe(0n);
    expect(parseMsat('123456789012345678901234567890')).toBe(123456789012345678901234567890n);
  });

  it.each(['', '-1', '01', '1.0', '1e3', ' 1', 'abc', '0x1'])('refuses %j', (bad) => {
    expect(() => parseMsat(bad)).toThrow(MoneyError);
  });

  it('property: round trips with toString', () => {
    fc.assert(
      fc.property(msat, (m) => {
        expect(parseMsat(m.toString())).toBe(m);
      }),
    );
  });
});

describe('refusal of unrepresentable precision (property)', () => {
  it('any decimal with 12+ places is refused, whatever the digits', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 10n ** 10n }),
        fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: 12, maxLength: 30 }),
        (whole, fraction) => {
          expect(() => btcToMsat(`${whole}.${fraction}`)).toThrow(MoneyError);
        },
      ),
    );
  });

  it('any decimal with up to 11 places is exact', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 10n ** 10n }),
        fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: 1, maxLength: 11 }),
        (whole, fraction) => {
          const expected = whole * 100_000_000_000n + BigInt(fraction.padEnd(11, '0'));
          expect(btcToMsat(`${whole}.${fraction}`)).toBe(expected);
        },
      ),
    );
  });
});
