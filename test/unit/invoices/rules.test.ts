/** Reader rules beyond the spec examples, on invoices written by encodeInvoice. */
import { bech32 } from '@scure/base';
import { describe, expect, it } from 'vitest';
import { decodeInvoice, encodeInvoice, InvoiceError } from '../../../src/invoices/index.ts';
import type { EncodeInvoiceOptions } from '../../../src/invoices/index.ts';

const BASE: EncodeInvoiceOptions = {
  network: 'testnet',
  amountMsat: 36_000n,
  paymentHash: 'ab'.repeat(32),
  paymentSecret: 'cd'.repeat(32),
  timestamp: 1_700_000_000,
  description: 'weekly payout',
  privateKey: 'e126f68f7eafcc8b74f54d269fe206be715000f94dac067d1c04a8ca3b2db734',
};

/** The same data words under another human-readable part, with a valid checksum. */
function withHrp(invoice: string, hrp: string): string {
  const decoded = bech32.decodeUnsafe(invoice, false);
  if (decoded === undefined) throw new Error('test invoice is not bech32');
  return bech32.encode(hrp, decoded.words, false);
}

function refusal(invoice: string): string {
  try {
    decodeInvoice(invoice);
  } catch (e) {
    if (e instanceof InvoiceError) return e.message;
    throw e;
  }
  throw new Error('invoice was accepted');
}

describe('decodeInvoice rules', () => {
  it('verifies against the n field when present', () => {
    const d = decodeInvoice(encodeInvoice({ ...BASE, includePayeeNodeKey: true }));
    expect(d.payeeNodeKey).toBe('03e7156ae33b0a208d0744199163177e909e80176e55d97a2f221ede0f934dd9ad');
  });

  it('refuses unknown compulsory (even) feature bits and ignores unknown optional (odd) ones', () => {
    expect(refusal(encodeInvoice({ ...BASE, features: [8, 14, 100] }))).toMatch(/unknown feature bit 100/);
    expect(refusal(encodeInvoice({ ...BASE, features: [8, 14, 40, 42] }))).toMatch(/bits 40, 42/);
    expect(decodeInvoice(encodeInvoice({ ...BASE, features: [9, 15, 99] })).features).toEqual([9, 15, 99]);
    expect(decodeInvoice(encodeInvoice({ ...BASE, features: [8, 14, 16, 24, 48] })).features).toEqual([8, 14, 16, 24, 48]);
  });

  it('accepts an invoice without a 9 field', () => {
    expect(decodeInvoice(encodeInvoice({ ...BASE, features: [] })).features).toEqual([]);
  });

  it('reads a description hash instead of a description', () => {
    const d = decodeInvoice(encodeInvoice({ ...BASE, descriptionHash: 'ee'.repeat(32) }));
    expect(d.descriptionHash).toBe('ee'.repeat(32));
    expect(d.description).toBeUndefined();
  });

  it('reads the metadata field', () => {
    expect(decodeInvoice(encodeInvoice({ ...BASE, metadata: '01fafaf0' })).metadata).toBe('01fafaf0');
  });

  it('refuses prefixes of unknown networks and strings that are not invoices', () => {
    expect(refusal(withHrp(encodeInvoice(BASE), 'lnxx10n'))).toMatch(/"lnxx10n" names no known network/);
    expect(refusal('bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4')).toMatch(/not a Lightning invoice/);
    expect(refusal(`lightning:${encodeInvoice(BASE)}`)).toMatch(/lightning:/);
    expect(refusal('')).toMatch(/empty/);
  });

  it('refuses an amount given as a multiplier without digits', () => {
    expect(refusal(withHrp(encodeInvoice(BASE), 'lntbm'))).toMatch(/amount "m" is malformed/);
    expect(refusal(withHrp(encodeInvoice(BASE), 'lntb1.5m'))).toMatch(/malformed/);
  });

  it('throws InvoiceError from the encoder for malformed options', () => {
    expect(() => encodeInvoice({ ...BASE, paymentHash: 'zz' })).toThrow(InvoiceError);
    expect(() => encodeInvoice({ ...BASE, amountMsat: -1n })).toThrow(InvoiceError);
    expect(() => encodeInvoice({ ...BASE, timestamp: -5 })).toThrow(InvoiceError);
  });
});
