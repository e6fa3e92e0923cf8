/** encodeInvoice → decodeInvoice gives back every field, for random inputs on every network. */
import { secp256k1 } from '@noble/curves/secp256k1';
import { bytesToHex } from '@noble/hashes/utils';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeInvoice, encodeInvoice, MAX_AMOUNT_MSAT, NETWORKS } from '../../../src/invoices/index.ts';

const hex32 = fc.uint8Array({ minLength: 32, maxLength: 32 }).map(bytesToHex);
const CURVE_ORDER = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const privateKey = fc.bigInt({ min: 1n, max: CURVE_ORDER - 1n }).map((k) => k.toString(16).padStart(64, '0'));
/** Mostly small and round amounts (multiplier edge cases), sometimes anything up to 21M BTC. */
const amount = fc.oneof(
  fc.constant(null),
  fc.bigInt({ min: 1n, max: 10_000n }),
  fc.bigInt({ min: 1n, max: 1000n }).chain((n) => fc.constantFrom(n * 100n, n * 100_000n, n * 100_000_000n, n * 100_000_000_000n)),
  fc.bigInt({ min: 1n, max: MAX_AMOUNT_MSAT }),
);

describe('encode → decode round trip', () => {
  it('returns what was encoded', () => {
    fc.assert(
      fc.property(
        fc.record({
          network: fc.constantFrom(...NETWORKS),
          amountMsat: amount,
          paymentHash: hex32,
          paymentSecret: hex32,
          timestamp: fc.integer({ min: 0, max: 2 ** 35 - 1 }),
          expirySeconds: fc.option(fc.integer({ min: 0, max: 10 ** 9 }), { nil: undefined }),
          description: fc.string({ unit: 'grapheme', maxLength: 40 }),
          useHash: fc.boolean(),
          descriptionHash: hex32,
          minFinalCltvExpiry: fc.integer({ min: 0, max: 5000 }),
          includePayeeNodeKey: fc.boolean(),
          extraOddFeature: fc.integer({ min: 0, max: 200 }).map((b) => b * 2 + 1),
          privateKey,
        }),
        (o) => {
          const features = [8, 14, 16, o.extraOddFeature].filter((b, i, a) => a.indexOf(b) === i).sort((a, b) => a - b);
          const invoice = encodeInvoice({
            ...o,
            ...(o.useHash ? {} : { descriptionHash: undefined }),
            features,
          });
          const d = decodeInvoice(invoice);
          expect(d.network).toBe(o.network);
          expect(d.amountMsat).toBe(o.amountMsat);
          expect(d.paymentHash).toBe(o.paymentHash);
          expect(d.paymentSecret).toBe(o.paymentSecret);
          expect(d.timestamp).toBe(o.timestamp);
          expect(d.expirySeconds).toBe(o.expirySeconds ?? 3600);
          expect(d.expiresAt).toBe(o.timestamp + (o.expirySeconds ?? 3600));
          expect(d.minFinalCltvExpiry).toBe(o.minFinalCltvExpiry);
          expect(d.features).toEqual(features);
          expect(d.payeeNodeKey).toBe(bytesToHex(secp256k1.getPublicKey(o.privateKey, true)));
          if (o.useHash) expect(d.descriptionHash).toBe(o.descriptionHash);
          else expect(d.description).toBe(o.description);
          // Uppercase (QR form) reads the same.
          expect(decodeInvoice(invoice.toUpperCase())).toEqual(d);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('writes the amount with the largest exact multiplier', () => {
    const base = {
      network: 'bitcoin' as const,
      paymentHash: '00'.repeat(32),
      paymentSecret: '11'.repeat(32),
      timestamp: 1496314658,
      privateKey: 'e126f68f7eafcc8b74f54d269fe206be715000f94dac067d1c04a8ca3b2db734',
    };
    const hrp = (amountMsat: bigint | null): string => encodeInvoice({ ...base, amountMsat }).split('1p')[0] ?? '';
    expect(hrp(null)).toBe('lnbc');
    expect(hrp(250_000_000n)).toBe('lnbc2500u');
    expect(hrp(2_000_000_000n)).toBe('lnbc20m');
    expect(hrp(100_000_000_000n)).toBe('lnbc1');
    expect(hrp(1_000n)).toBe('lnbc10n');
    expect(hrp(967_878_534n)).toBe('lnbc9678785340p');
    expect(hrp(1n)).toBe('lnbc10p');
  });

  it('writes and reads each network prefix, longest first', () => {
    const base = {
      paymentHash: '00'.repeat(32),
      paymentSecret: '11'.repeat(32),
      timestamp: 1700000000,
      amountMsat: 1_000n,
      privateKey: 'e126f68f7eafcc8b74f54d269fe206be715000f94dac067d1c04a8ca3b2db734',
    };
    const prefixes = { bitcoin: 'lnbc10n1', testnet: 'lntb10n1', signet: 'lntbs10n1', regtest: 'lnbcrt10n1' };
    for (const network of NETWORKS) {
      const invoice = encodeInvoice({ ...base, network });
      expect(invoice.startsWith(prefixes[network])).toBe(true);
      expect(decodeInvoice(invoice).network).toBe(network);
    }
  });
});
