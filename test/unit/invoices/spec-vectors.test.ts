/**
 * The 25 BOLT11 spec examples (15 valid, 10 invalid), plus properties:
 * mutated invoices only ever fail with InvoiceError, and encode → decode round-trips.
 */
import { sha256 } from '@noble/hashes/sha2';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils';
import { bech32 } from '@scure/base';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeInvoice, InvoiceError } from '../../../src/invoices/index.ts';
import { loadSpecVectors, type SpecVector as Vector } from '../../support/spec-vectors.ts';

const SPEC_PAYEE = '03e7156ae33b0a208d0744199163177e909e80176e55d97a2f221ede0f934dd9ad';
const SPEC_HASH = '0001020304050607080900010203040506070809000102030405060708090102';
const SPEC_SECRET = '11'.repeat(32);
const CAKE =
  'One piece of chocolate cake, one icecream cone, one pickle, one slice of swiss cheese, one slice of salami, one lollypop, one piece of cherry pie, one sausage, one cupcake, and one slice of watermelon';

const vectors = loadSpecVectors();
const valid = vectors.filter((v) => v.valid);
const invalid = vectors.filter((v) => !v.valid);

/** What the spec text around each valid example states (amounts in USD cannot be parsed from the title). */
type Expectation = { amountMsat: bigint | null; network?: string; description?: string; descriptionHashOf?: string };
const coffee: Expectation = { amountMsat: 2_500_000_000n, description: 'coffee beans' };
const cake: Expectation = { amountMsat: 2_000_000_000n, descriptionHashOf: CAKE };
const donation: Expectation = { amountMsat: null, description: 'Please consider supporting this project' };
const EXPECTED: ReadonlyArray<readonly [string, Expectation]> = [
  ['Please make a donation', donation],
  ['Please send $3 for a cup of coffee', { amountMsat: 250_000_000n, description: '1 cup coffee' }],
  ['Please send 0.0025 BTC for a cup of nonsense', { amountMsat: 250_000_000n, description: 'ナンセンス 1杯' }],
  ['Now send $24', cake],
  ['The same, on testnet', { ...cake, network: 'testnet' }],
  ['On mainnet, with fallback address 1RustyRX2oai4EYYDpQGWvEL62BBGqN9T', cake],
  ['On mainnet, with fallback (P2SH)', cake],
  ['On mainnet, with fallback (P2WPKH)', cake],
  ['On mainnet, with fallback (P2WSH)', cake],
  ['Please send 0.00967878534 BTC', { amountMsat: 967_878_534n }],
  ['Please send $30 for coffee beans', coffee],
  ['Same, but all upper case.', coffee],
  ['Same, but including fields which must be ignored.', coffee],
  ['Please send 0.01 BTC with payment metadata', { amountMsat: 1_000_000_000n, description: 'payment metadata inside' }],
  ['Public-key recovery with high-S signature', donation],
];

function expectationFor(description: string): Expectation {
  const found = EXPECTED.find(([prefix]) => description.startsWith(prefix));
  if (found === undefined) throw new Error(`no expectation for spec vector "${description}"; add it to EXPECTED`);
  return found[1];
}

/** "0.0025 BTC" in a vector's title → msat, exactly (1 BTC = 10^11 msat). */
function btcInTitle(description: string): bigint | null {
  const m = /([0-9]+)\.([0-9]+) BTC/.exec(description);
  if (m === null) return null;
  const [whole = '0', frac = ''] = [m[1], m[2]];
  return BigInt(whole) * 100_000_000_000n + BigInt(frac.padEnd(11, '0'));
}

describe('BOLT11 spec vectors', () => {
  it('has the 15 valid and 10 invalid examples', () => {
    expect(valid).toHaveLength(15);
    expect(invalid).toHaveLength(10);
  });

  it.each(valid.map((v) => [v.description, v] as const))('decodes valid: %s', (_title, v) => {
    const want = expectationFor(v.description);
    const d = decodeInvoice(v.invoice);
    expect(d.payeeNodeKey).toBe(SPEC_PAYEE);
    expect(d.amountMsat).toBe(want.amountMsat);
    const fromTitle = btcInTitle(v.description);
    if (fromTitle !== null) expect(d.amountMsat).toBe(fromTitle);
    expect(d.network).toBe(want.network ?? 'bitcoin');
    expect(d.paymentSecret).toBe(SPEC_SECRET);
    if (want.description !== undefined) expect(d.description).toBe(want.description);
    if (want.descriptionHashOf !== undefined) {
      expect(d.descriptionHash).toBe(bytesToHex(sha256(utf8ToBytes(want.descriptionHashOf))));
      expect(d.description).toBeUndefined();
    }
    if (!v.description.startsWith('Please send 0.00967878534')) {
      expect(d.paymentHash).toBe(SPEC_HASH);
      expect(d.timestamp).toBe(1496314658);
    }
    expect(d.expiresAt).toBe(d.timestamp + d.expirySeconds);
  });

  it('reads expiry, cltv and features where the examples set them', () => {
    const byTitle = (p: string): Vector => {
      const v = valid.find((x) => x.description.startsWith(p));
      if (v === undefined) throw new Error(`vector "${p}" missing`);
      return v;
    };
    const donation = decodeInvoice(byTitle('Please make a donation').invoice);
    expect(donation.expirySeconds).toBe(3600); // no x field: the BOLT11 default
    expect(donation.minFinalCltvExpiry).toBe(18); // no c field: the default
    expect(decodeInvoice(byTitle('Please send $3').invoice).expirySeconds).toBe(60);
    const week = decodeInvoice(byTitle('Please send 0.00967878534').invoice);
    expect(week.expirySeconds).toBe(604800);
    expect(week.minFinalCltvExpiry).toBe(10);
    expect(decodeInvoice(byTitle('Please send $30').invoice).features).toEqual([8, 14, 99]);
    const meta = decodeInvoice(byTitle('Please send 0.01 BTC').invoice);
    expect(meta.metadata).toBe('01fafaf0');
    expect(meta.features).toContain(48);
  });

  it.each(invalid.map((v) => [v.description, v] as const))('refuses invalid: %s', (_title, v) => {
    expect(() => decodeInvoice(v.invoice)).toThrow(InvoiceError);
  });

  it('says why the named invalid examples are refused', () => {
    const reason = (p: string): string => {
      const v = invalid.find((x) => x.description.startsWith(p));
      if (v === undefined) throw new Error(`vector "${p}" missing`);
      try {
        decodeInvoice(v.invoice);
      } catch (e) {
        if (e instanceof InvoiceError) return e.message;
        throw e;
      }
      throw new Error(`vector "${p}" was accepted`);
    };
    expect(reason('Same, but adding invalid unknown feature 100')).toMatch(/unknown feature bit 100/);
    expect(reason('Bech32 checksum is invalid')).toMatch(/checksum is wrong/);
    expect(reason('Malformed bech32 string (no 1)')).toMatch(/no "1" separator/);
    expect(reason('Malformed bech32 string (mixed case)')).toMatch(/mixes upper and lower case/);
    expect(reason('Signature is not recoverable')).toMatch(/not recoverable/);
    expect(reason('String is too short')).toMatch(/too short/);
    expect(reason('Invalid multiplier')).toMatch(/not a multiplier/);
    expect(reason('Invalid sub-millisatoshi precision')).toMatch(/sub-millisatoshi/);
    expect(reason('Missing required `s` field')).toMatch(/no payment secret \(s field\)/);
    expect(reason('Non canonical signature (high-S)')).toMatch(/low-S/);
  });
});

const BECH32_CHARS = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';

/** One random edit: substitute, delete, insert, flip the case of one char, or truncate. */
const mutation = fc.oneof(
  fc.record({ kind: fc.constant('sub' as const), at: fc.nat(), ch: fc.constantFrom(...BECH32_CHARS, '1', 'B', 'é', ' ') }),
  fc.record({ kind: fc.constant('del' as const), at: fc.nat(), ch: fc.constant('') }),
  fc.record({ kind: fc.constant('ins' as const), at: fc.nat(), ch: fc.constantFrom(...BECH32_CHARS, '1') }),
  fc.record({ kind: fc.constant('case' as const), at: fc.nat(), ch: fc.constant('') }),
  fc.record({ kind: fc.constant('cut' as const), at: fc.nat(), ch: fc.constant('') }),
);

function mutate(s: string, m: { kind: string; at: number; ch: string }): string {
  const i = m.at % s.length;
  const c = s[i] ?? '';
  switch (m.kind) {
    case 'sub':
      return s.slice(0, i) + m.ch + s.slice(i + 1);
    case 'del':
      return s.slice(0, i) + s.slice(i + 1);
    case 'ins':
      return s.slice(0, i) + m.ch + s.slice(i);
    case 'case':
      return s.slice(0, i) + (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase()) + s.slice(i + 1);
    default:
      return s.slice(0, i);
  }
}

describe('decodeInvoice on mutated invoices', () => {
  it('never throws anything but InvoiceError', () => {
    fc.assert(
      fc.property(fc.constantFrom(...vectors.map((v) => v.invoice)), fc.array(mutation, { minLength: 1, maxLength: 3 }), (inv, ms) => {
        const mutated = ms.reduce(mutate, inv);
        try {
          const d = decodeInvoice(mutated);
          // A mutation that survives the checksum and signature is vanishingly rare; if it does, it is well-formed.
          expect(d.payeeNodeKey).toMatch(/^0[23][0-9a-f]{64}$/);
        } catch (e) {
          expect(e).toBeInstanceOf(InvoiceError);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('never throws anything but InvoiceError when edited words carry a valid checksum', () => {
    // String edits almost always stop at the checksum; re-encoding reaches the field parser and signature code.
    const decoded = valid.map((v) => {
      const d = bech32.decodeUnsafe(v.invoice.toLowerCase(), false);
      if (d === undefined) throw new Error(`spec vector "${v.description}" is not bech32`);
      return d;
    });
    const edit = fc.record({ at: fc.nat(), word: fc.integer({ min: 0, max: 31 }), op: fc.constantFrom('set', 'del', 'ins') });
    fc.assert(
      fc.property(fc.constantFrom(...decoded), fc.array(edit, { minLength: 1, maxLength: 4 }), ({ prefix, words }, edits) => {
        const w = [...words];
        for (const e of edits) {
          const i = e.at % (w.length + 1);
          if (e.op === 'set') w[Math.min(i, w.length - 1)] = e.word;
          else if (e.op === 'del') w.splice(i, 1);
          else w.splice(i, 0, e.word);
        }
        try {
          decodeInvoice(bech32.encode(prefix, w, false));
        } catch (e) {
          expect(e).toBeInstanceOf(InvoiceError);
        }
      }),
      { numRuns: 500 },
    );
  });
});
