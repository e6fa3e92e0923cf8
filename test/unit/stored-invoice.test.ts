import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { packInvoice, unpackInvoice } from '../../src/withdrawals/stored-invoice.ts';

const vectors = JSON.parse(readFileSync(new URL('../fixtures/bolt11-spec-vectors.json', import.meta.url), 'utf8')) as unknown;
/** Every string in the spec's vectors that looks like an invoice. */
const invoices = JSON.stringify(vectors).match(/ln[a-z0-9]+1[qpzry9x8gf2tvdw0s3jn54khce6mua7l]{50,}/gi) ?? [];
const bech32Char = fc.constantFrom(...'qpzry9x8gf2tvdw0s3jn54khce6mua7l');

describe('the invoice a record stores', () => {
  it('packs each of the BOLT #11 spec invoices shorter, and reads each back exactly', () => {
    expect(invoices.length).toBeGreaterThan(5);
    for (const invoice of invoices) {
      const stored = packInvoice(invoice.toLowerCase());
      expect(stored.length).toBeLessThan(invoice.length - invoice.length / 8);
      expect(unpackInvoice(stored)).toBe(invoice.toLowerCase());
    }
  });

  it('reads back exactly every lowercase bech32 text, whatever the length of its data part', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^ln[a-z0-9]{0,20}1$/), fc.array(bech32Char, { minLength: 1, maxLength: 400 }), (hrp, data) => {
        const invoice = hrp + data.join('');
        expect(unpackInvoice(packInvoice(invoice))).toBe(invoice);
      }),
      { numRuns: 2000 },
    );
  });

  it('stores anything else as given: an uppercase invoice, text with no data part, any string not starting with ~ (no invoice does)', () => {
    const upper = invoices[0]?.toUpperCase() ?? '';
    expect(packInvoice(upper)).toBe(upper);
    for (const text of ['', 'lnbc', 'lnbc1', 'not an invoice', 'lnbc1.AAAA.q']) expect(unpackInvoice(packInvoice(text))).toBe(text);
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        fc.pre(!text.startsWith('~'));
        expect(unpackInvoice(packInvoice(text))).toBe(text);
      }),
      { numRuns: 2000 },
    );
  });
});
