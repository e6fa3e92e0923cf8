/** checkWithdrawal: one case per refusal code, plus the accepted shapes. */
import { describe, expect, it } from 'vitest';
import { encodeInvoice } from '../../src/invoices/encode.ts';
import type { EncodeInvoiceOptions } from '../../src/invoices/encode.ts';
import type { ProviderProfile } from '../../src/providers/definition.ts';
import { BUILTIN_PROVIDER_PROFILES } from '../../src/providers/index.ts';
import { checkWithdrawal, INVOICE_FUTURE_SKEW_SECONDS } from '../../src/withdrawals/checks.ts';
import { routeWithdrawal } from '../../src/withdrawals/routing.ts';
import type { CheckContext, CheckResult } from '../../src/withdrawals/checks.ts';
import type { RoutedRequest } from '../../src/withdrawals/checks.ts';

const PRIVATE_KEY = 'e126f68f7eafcc8b74f54d269fe206be715000f94dac067d1c04a8ca3b2db734';
const NOW_MS = 1_763_719_200_000; // 2025-11-21T10:00:00Z
const NOW_S = NOW_MS / 1000;
const HASH = '92028feb'.padEnd(64, '0');

const CTX: CheckContext = {
  network: 'testnet',
  nowMs: NOW_MS,
  expiryMarginSeconds: 120,
  enabledProviders: ['aurpay', 'turinpay'],
  allowOnchain: true,
  maxAmountMsat: 100_000_000n,
  routeOrder: ['aurpay', 'turinpay'],
  providers: BUILTIN_PROVIDER_PROFILES,
};

function invoice(overrides: Partial<EncodeInvoiceOptions> = {}): string {
  return encodeInvoice({
    network: 'testnet',
    amountMsat: 36_000n,
    paymentHash: HASH,
    paymentSecret: '11'.repeat(32),
    timestamp: NOW_S - 60,
    expirySeconds: 3600,
    description: 'weekly payout',
    privateKey: PRIVATE_KEY,
    ...overrides,
  });
}

function request(overrides: Partial<RoutedRequest>): RoutedRequest {
  return { id: 'payout-1', provider: 'turinpay', ...overrides };
}

function refusal(result: CheckResult): { code: string; field: string; message: string } {
  if (result.ok) throw new Error('expected a refusal, got acceptance');
  return { code: result.code, field: result.field, message: result.message };
}

describe('checkWithdrawal accepts', () => {
  it('an invoice with an amount, returning hash, amount and expiry in ms', () => {
    const result = checkWithdrawal(request({ invoice: invoice(), amountMsat: '36000' }), CTX);
    expect(result).toEqual({
      ok: true,
      value: { paymentHash: HASH, amountMsat: 36_000n, sendAmountMsat: null, invoiceExpiresAt: (NOW_S - 60 + 3600) * 1000 },
    });
  });

  it('an amountless invoice on aurpay with amountMsat, which becomes the amount to send', () => {
    const result = checkWithdrawal(request({ provider: 'aurpay', invoice: invoice({ amountMsat: null }), amountMsat: '5000' }), CTX);
    expect(result).toMatchObject({ ok: true, value: { amountMsat: 5000n, sendAmountMsat: 5000n } });
  });

  it('a turinpay on-chain address when on-chain is allowed', () => {
    const result = checkWithdrawal(request({ address: 'tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7' }), CTX);
    expect(result).toEqual({
      ok: true,
      value: { paymentHash: null, amountMsat: null, sendAmountMsat: null, invoiceExpiresAt: null },
    });
  });
});

describe('checkWithdrawal refuses', () => {
  it('provider_disabled: a provider without credentials', () => {
    const r = refusal(checkWithdrawal(request({ provider: 'aurpay', invoice: invoice() }), { ...CTX, enabledProviders: ['turinpay'] }));
    expect(r).toMatchObject({ code: 'provider_disabled', field: 'provider' });
    expect(r.message).toMatch(/aurpay is disabled.*AURPAY_API_KEY.*use turinpay/);
  });

  it('invalid_invoice: an invoice that breaks BOLT11 rules, or asks for 0 msat', () => {
    const broken = invoice().slice(0, -1) + 'q';
    const r = refusal(checkWithdrawal(request({ invoice: broken }), CTX));
    expect(r).toMatchObject({ code: 'invalid_invoice', field: 'invoice' });
    expect(r.message).toMatch(/checksum/);
    const zero = refusal(checkWithdrawal(request({ invoice: invoice({ amountMsat: 0n }) }), CTX));
    expect(zero).toMatchObject({ code: 'invalid_invoice', field: 'invoice' });
    expect(zero.message).toMatch(/0 msat/);
  });

  it('invalid_invoice: an invoice timestamped more than 10 minutes in the future; within the skew it is accepted', () => {
    const future = refusal(checkWithdrawal(request({ invoice: invoice({ timestamp: NOW_S + INVOICE_FUTURE_SKEW_SECONDS + 1 }) }), CTX));
    expect(future).toMatchObject({ code: 'invalid_invoice', field: 'invoice' });
    expect(future.message).toContain('more than 10 minutes in the future');
    expect(refusal(checkWithdrawal(request({ invoice: invoice({ timestamp: NOW_S + 24 * 3600 }) }), CTX)).code).toBe('invalid_invoice');
    expect(checkWithdrawal(request({ invoice: invoice({ timestamp: NOW_S + INVOICE_FUTURE_SKEW_SECONDS }) }), CTX).ok).toBe(true);
    expect(checkWithdrawal(request({ invoice: invoice({ timestamp: NOW_S + 30 }) }), CTX).ok).toBe(true);
  });

  it('network_mismatch: an invoice of another network, naming both', () => {
    const r = refusal(checkWithdrawal(request({ invoice: invoice({ network: 'bitcoin' }) }), CTX));
    expect(r).toMatchObject({ code: 'network_mismatch', field: 'invoice' });
    expect(r.message).toMatch(/for bitcoin \(lnbc\.\.\.\).*on testnet \(LN_NETWORK=testnet\).*lntb/);
  });

  it('invoice_expired: expired, and expiring within the safety margin', () => {
    const expired = refusal(checkWithdrawal(request({ invoice: invoice({ timestamp: NOW_S - 7200 }) }), CTX));
    expect(expired).toMatchObject({ code: 'invoice_expired', field: 'invoice' });
    expect(expired.message).toMatch(/expired at 2025-11-21T09:00:00.000Z/);
    // Default expiry (no x field) is 3600 s: created 3550 s ago leaves 50 s, inside the 120 s margin.
    const soon = refusal(
      checkWithdrawal(request({ invoice: invoice({ timestamp: NOW_S - 3550, expirySeconds: undefined }) }), CTX),
    );
    expect(soon).toMatchObject({ code: 'invoice_expired' });
    expect(soon.message).toMatch(/120 s safety margin/);
  });

  it('amount_required: amountless invoice without amountMsat (aurpay) or on turinpay at all', () => {
    const aurpay = refusal(checkWithdrawal(request({ provider: 'aurpay', invoice: invoice({ amountMsat: null }) }), CTX));
    expect(aurpay).toMatchObject({ code: 'amount_required', field: 'amountMsat' });
    const turinpay = refusal(
      checkWithdrawal(request({ provider: 'turinpay', invoice: invoice({ amountMsat: null }), amountMsat: '5000' }), CTX),
    );
    expect(turinpay).toMatchObject({ code: 'amount_required', field: 'invoice' });
    expect(turinpay.message).toMatch(/TurinPay's API takes no amount/);
  });

  it('amount_mismatch: amountMsat different from the invoice amount', () => {
    const r = refusal(checkWithdrawal(request({ invoice: invoice(), amountMsat: '36001' }), CTX));
    expect(r).toMatchObject({ code: 'amount_mismatch', field: 'amountMsat' });
    expect(r.message).toMatch(/36001.*36000 msat/);
  });

  it('invalid_address: aurpay, on-chain switched off, a bad or wrong-network address, a future segwit version', () => {
    const address = 'tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7';
    const cases: ReadonlyArray<readonly [RoutedRequest, CheckContext, RegExp]> = [
      [request({ provider: 'aurpay', address }), CTX, /Aurpay pays Lightning invoices only/],
      [request({ address }), { ...CTX, allowOnchain: false }, /ALLOW_ONCHAIN/],
      [request({ address: address.slice(0, -1) + 'q' }), CTX, /checksum/],
      [request({ address: 'bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4' }), CTX, /bitcoin \(mainnet\).*testnet/],
      [request({ address: 'tb1zqypqxpq9qcrsszg2pvxq6rs0zqehtznx' }), CTX, /segwit version no wallet uses/],
    ];
    for (const [req, ctx, message] of cases) {
      const r = refusal(checkWithdrawal(req, ctx));
      expect(r).toMatchObject({ code: 'invalid_address', field: 'address' });
      expect(r.message).toMatch(message);
    }
  });

  it('invalid_request: above the maximum amount, zero amountMsat, amountMsat with an address', () => {
    const big = refusal(checkWithdrawal(request({ invoice: invoice({ amountMsat: 100_000_001n }) }), CTX));
    expect(big).toMatchObject({ code: 'invalid_request', field: 'invoice' });
    expect(big.message).toMatch(/limit of 100000000 msat/);
    const zero = refusal(checkWithdrawal(request({ provider: 'aurpay', invoice: invoice({ amountMsat: null }), amountMsat: '0' }), CTX));
    expect(zero).toMatchObject({ code: 'invalid_request', field: 'amountMsat' });
    const onchain = refusal(
      checkWithdrawal(request({ address: 'tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7', amountMsat: '1000' }), CTX),
    );
    expect(onchain).toMatchObject({ code: 'invalid_request', field: 'amountMsat' });
    expect(onchain.message).toMatch(/takes no amount/);
  });
});

describe("checkWithdrawal works from the providers' capabilities", () => {
  const ADDRESS = 'tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7';
  const acme: ProviderProfile = {
    name: 'acme',
    label: 'Acme',
    keyVariable: 'ACME_TOKEN',
    capabilities: { amountlessInvoices: true, onchain: true, settlesOnSubmit: false },
  };
  const WITH_ACME: CheckContext = { ...CTX, providers: [...BUILTIN_PROVIDER_PROFILES, acme], enabledProviders: ['aurpay', 'turinpay', 'acme'], routeOrder: undefined };

  it('a third provider with both capabilities pays an amountless invoice and an address', () => {
    expect(checkWithdrawal(request({ provider: 'acme', invoice: invoice({ amountMsat: null }), amountMsat: '5000' }), WITH_ACME).ok).toBe(true);
    expect(checkWithdrawal(request({ provider: 'acme', address: ADDRESS }), WITH_ACME).ok).toBe(true);
  });

  it('a provider without them is refused with its own label, naming every provider that can', () => {
    const lightningOnly: ProviderProfile = { ...acme, capabilities: { amountlessInvoices: false, onchain: false, settlesOnSubmit: false } };
    const ctx: CheckContext = { ...WITH_ACME, providers: [...BUILTIN_PROVIDER_PROFILES, lightningOnly] };
    expect(refusal(checkWithdrawal(request({ provider: 'acme', invoice: invoice({ amountMsat: null }), amountMsat: '5000' }), ctx))).toEqual({
      code: 'amount_required',
      field: 'invoice',
      message:
        "invoice has no amount, and Acme's API takes no amount, so it can only pay invoices that carry one; " +
        'ask the payee for an invoice with an amount, or use provider aurpay',
    });
    expect(refusal(checkWithdrawal(request({ provider: 'acme', address: ADDRESS }), ctx))).toEqual({
      code: 'invalid_address',
      field: 'address',
      message: 'Acme pays Lightning invoices only; send an invoice, or use provider turinpay for an on-chain address',
    });
    const disabled = refusal(checkWithdrawal(request({ provider: 'acme', invoice: invoice() }), { ...ctx, enabledProviders: ['turinpay'] }));
    expect(disabled).toMatchObject({ code: 'provider_disabled', message: expect.stringContaining('(ACME_TOKEN is not set)') });
  });

  it('auto routes an address by the onchain capability, an amountless invoice by amountlessInvoices', () => {
    const noBuiltinOnchain = BUILTIN_PROVIDER_PROFILES.map((p) => ({ ...p, capabilities: { ...p.capabilities, onchain: false } }));
    const ctx: CheckContext = { ...WITH_ACME, providers: [...noBuiltinOnchain, acme] };
    expect(routeWithdrawal({ id: 'a-1', provider: 'auto', address: ADDRESS }, ctx)).toMatchObject({ ok: true, route: ['acme'] });
    expect(routeWithdrawal({ id: 'a-2', provider: 'auto', invoice: invoice({ amountMsat: null }), amountMsat: '5000' }, WITH_ACME)).toMatchObject({
      ok: true,
      route: ['aurpay', 'acme'],
    });
  });
});
