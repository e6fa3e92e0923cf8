import { describe, expect, it } from 'vitest';
import type { LookupRequest, SubmitRequest } from '../../../../src/providers/types.ts';
import { AURPAY_TX_ID, INVOICE, PAYMENT_HASH, aurpayTx, aurpayTxPage, aurpayWithdrawAnswer } from '../helpers/fixtures.ts';
import { mockOrigin } from '../helpers/mock.ts';
import { ORIGIN, client, onCleanup } from './shared.ts';

/** Every fee Aurpay reports is exact whole msat of at most 21 million BTC, or the answer proves nothing. */
const submitRequest: SubmitRequest = { withdrawalId: 'w-1', invoice: INVOICE, address: null, paymentHash: PAYMENT_HASH, amountMsat: null, description: null };
const lookupRequest: LookupRequest = { withdrawalId: 'w-1', providerRef: AURPAY_TX_ID, paymentHash: PAYMENT_HASH, invoice: INVOICE, amountMsat: 36_000n };

function answering(method: 'GET' | 'POST', path: string, body: unknown) {
  const { agent, pool } = mockOrigin(ORIGIN);
  onCleanup(() => agent.close());
  pool.intercept({ path, method }).reply(200, JSON.stringify(body));
  return agent;
}

async function submitWith(fee: unknown) {
  const agent = answering('POST', '/api/bln/withdraw', aurpayWithdrawAnswer({ fee }));
  const outcome = await client(agent).submit(submitRequest);
  agent.assertNoPendingInterceptors();
  return outcome;
}

async function lookupWith(fee: unknown) {
  const agent = answering('GET', '/api/v2/tx?page=1&size=50', aurpayTxPage(1, 1, [aurpayTx(AURPAY_TX_ID, { fee })]));
  const outcome = await client(agent).lookup(lookupRequest);
  agent.assertNoPendingInterceptors();
  return outcome;
}

const unreadable: Array<[string, unknown]> = [
  ['past 21 million BTC', '21000000.00000000001'],
  ['far past 2^64 msat', '999999999999.99999999999'],
  ['negative', '-0.00000001'],
  ['finer than 1 msat', '0.000000000001'],
  ['in exponent form', '1e-8'],
  ['a JSON number', 0.00000001],
];

describe('aurpay fees: an unreadable one makes the answer prove nothing', () => {
  it.each(unreadable)('submit answer with a fee %s → unknown, the answer kept as evidence', async (_, fee) => {
    expect(await submitWith(fee)).toMatchObject({ kind: 'unknown', raw: { data: { tx_id: AURPAY_TX_ID } } });
  });

  it.each(unreadable)('lookup with a matching transaction whose fee is %s → error', async (_, fee) => {
    expect(await lookupWith(fee)).toMatchObject({ kind: 'error' });
  });
});

describe('aurpay fees: exact up to 21 million BTC', () => {
  it('a fee of exactly 21 million BTC, and one of 1 msat, are read exactly', async () => {
    expect(await submitWith('21000000')).toMatchObject({ kind: 'accepted', feeMsat: 2_100_000_000_000_000_000n });
    expect(await lookupWith('0.00000000001')).toMatchObject({ kind: 'found', feeMsat: 1n });
  });

  it('a fee it does not give stays null', async () => {
    expect(await submitWith(null)).toMatchObject({ kind: 'accepted', feeMsat: null });
    expect(await lookupWith(undefined)).toMatchObject({ kind: 'found', feeMsat: null });
  });
});
