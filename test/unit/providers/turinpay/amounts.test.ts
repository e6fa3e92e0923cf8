import { describe, expect, it } from 'vitest';
import type { LookupRequest, SubmitRequest } from '../../../../src/providers/types.ts';
import { INVOICE, PAYMENT_HASH, turinpayWithdrawal } from '../helpers/fixtures.ts';
import { answer, client } from './shared.ts';

/** Every amount TurinPay reports is exact whole msat of at most 21 million BTC, or the answer proves nothing. */
const SUPPLY_MSAT = '2100000000000000000';
const SUPPLY_SATS = 2_100_000_000_000_000;

const submitRequest: SubmitRequest = { withdrawalId: 'w-1', invoice: INVOICE, address: null, paymentHash: PAYMENT_HASH, amountMsat: null, description: null };
const lookupRequest: LookupRequest = { withdrawalId: 'w-1', providerRef: PAYMENT_HASH, paymentHash: PAYMENT_HASH, invoice: INVOICE, amountMsat: 36_000n };

const ln = (mtokens: unknown) => ({ id: PAYMENT_HASH, request: INVOICE, mtokens });

async function submitWith(body: Record<string, unknown>) {
  const { agent } = answer('POST', '/withdrawals', 200, body);
  const outcome = await client(agent).submit(submitRequest);
  agent.assertNoPendingInterceptors();
  return outcome;
}

async function lookupWith(body: Record<string, unknown>) {
  const { agent } = answer('GET', `/withdrawals?id=${PAYMENT_HASH}`, 200, body);
  const outcome = await client(agent).lookup(lookupRequest);
  agent.assertNoPendingInterceptors();
  return outcome;
}

const unreadable: Array<[string, Record<string, unknown>]> = [
  ['ln.mtokens past 2^64', { ln: ln('18446744073709551616') }],
  ['ln.mtokens one msat past 21 million BTC', { ln: ln('2100000000000000001') }],
  ['ln.mtokens negative', { ln: ln('-36000') }],
  ['ln.mtokens in exponent form', { ln: ln('3.6e4') }],
  ['amount (sats) past 21 million BTC', { ln: null, amount: SUPPLY_SATS + 1 }],
  ['amount negative', { ln: null, amount: -36 }],
  ['amount finer than 1 msat', { ln: null, amount: '36.0005' }],
  ['amount in exponent form', { ln: null, amount: 1e-7 }],
  ['fees past 21 million BTC', { fees: '2100000000000001' }],
  ['fees negative', { fees: -1 }],
  ['fees finer than 1 msat', { fees: 0.0001 }],
  ['fees not a number', { fees: { sats: 1 } }],
];

describe('turinpay amounts: an unreadable one makes the answer prove nothing', () => {
  it.each(unreadable)('submit answer with %s → unknown, the answer kept as evidence', async (_, extra) => {
    const body = turinpayWithdrawal(extra);
    const outcome = await submitWith(body);
    expect(outcome).toMatchObject({ kind: 'unknown', raw: { invoiceId: PAYMENT_HASH, status: 'PAID' } });
    expect(outcome).not.toHaveProperty('amountMsat');
  });

  it.each(unreadable)('lookup answer with %s → error, the answer kept as evidence', async (_, extra) => {
    const outcome = await lookupWith(turinpayWithdrawal(extra));
    expect(outcome).toMatchObject({ kind: 'error', raw: { invoiceId: PAYMENT_HASH, status: 'PAID' } });
  });
});

describe('turinpay amounts: exact up to 21 million BTC', () => {
  it('ln.mtokens of exactly 21 million BTC is read exactly', async () => {
    expect(await submitWith(turinpayWithdrawal({ ln: ln(SUPPLY_MSAT) }))).toMatchObject({ kind: 'accepted', amountMsat: BigInt(SUPPLY_MSAT) });
    expect(await lookupWith(turinpayWithdrawal({ ln: ln(SUPPLY_MSAT) }))).toMatchObject({ kind: 'found', amountMsat: BigInt(SUPPLY_MSAT) });
  });

  it('amount in sats of exactly 21 million BTC, and a fee in sats with whole msat, are read exactly', async () => {
    const outcome = await submitWith(turinpayWithdrawal({ ln: null, amount: SUPPLY_SATS, fees: 0.5 }));
    expect(outcome).toMatchObject({ kind: 'accepted', amountMsat: BigInt(SUPPLY_MSAT), feeMsat: 500n });
    expect(await lookupWith(turinpayWithdrawal({ ln: null, amount: '36.5', fees: '1.001' }))).toMatchObject({
      kind: 'found',
      amountMsat: 36_500n,
      feeMsat: 1001n,
    });
  });

  it('amounts it does not give stay null', async () => {
    expect(await submitWith(turinpayWithdrawal({ ln: null, amount: null, fees: null }))).toMatchObject({
      kind: 'accepted',
      amountMsat: null,
      feeMsat: null,
    });
  });
});
