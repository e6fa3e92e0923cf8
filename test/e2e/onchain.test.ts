import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ONCHAIN_BALANCE_SATS } from '../../src/providers/sandbox/turinpay.ts';
import { regtestAddress } from '../support/addresses.ts';
import { callApi } from '../support/http.ts';
import { eventually, OPERATOR_TOKEN, startPipeline, type Pipeline } from '../support/pipeline.ts';

/** A second operator: an on-chain withdrawal waits for an approval that is not its creator's. */
const SECOND_OPERATOR = 'second-operator-token-1';
const THIRD_OPERATOR = 'third-operator-token-01';

let p: Pipeline;
beforeAll(async () => {
  p = await startPipeline({ env: { ALLOW_ONCHAIN: 'true', OPERATOR_TOKENS: `ops=${OPERATOR_TOKEN},eve=${SECOND_OPERATOR},ivy=${THIRD_OPERATOR}` } });
});
afterAll(async () => p.close());

describe('on-chain withdrawals through TurinPay (ALLOW_ONCHAIN=true)', () => {
  it('pays a regtest address once and settles it, after two approvals whatever APPROVALS_REQUIRED says', async () => {
    const body = { id: 'onchain-1', provider: 'turinpay', address: 'bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080' };
    const res = await p.operator('POST', '/v1/withdrawals', body);
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ address: body.address, invoice: null, amountMsat: null, status: 'awaiting_approval' });
    const first = await callApi(p.baseUrl, SECOND_OPERATOR, 'POST', '/v1/withdrawals/onchain-1/approve', { note: 'address checked' });
    expect(first.body.status).toBe('awaiting_approval');
    const approved = await callApi(p.baseUrl, THIRD_OPERATOR, 'POST', '/v1/withdrawals/onchain-1/approve', { note: 'amount checked' });
    expect(approved.body.status).toBe('queued');
    const rec = await eventually(async () => {
      const r = (await p.operator('GET', '/v1/withdrawals/onchain-1')).body;
      return r.status === 'succeeded' ? r : undefined;
    });
    expect(rec.providerRef).toBeTruthy();
    // No amount was sent; the record keeps the amount the provider says it moved.
    expect(rec.amountMsat).toBe(String(ONCHAIN_BALANCE_SATS * 1000n));
    const moved = p.sandbox.ledger.payments().find((x) => x.invoice === body.address);
    expect(moved?.amountMsat).toBe(ONCHAIN_BALANCE_SATS * 1000n);
    expect(p.sandbox.ledger.payments().filter((x) => x.invoice === body.address)).toHaveLength(1);
  });

  it('refuses an address of another network, an amount with an address, and Aurpay addresses', async () => {
    const mainnet = await p.operator('POST', '/v1/withdrawals', { id: 'onchain-2', provider: 'turinpay', address: 'bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4' });
    expect(mainnet.status).toBe(400);
    expect(mainnet.body.error.code).toBe('invalid_address');
    const withAmount = await p.operator('POST', '/v1/withdrawals', {
      id: 'onchain-3',
      provider: 'turinpay',
      address: 'bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080',
      amountMsat: '1000',
    });
    expect(withAmount.status).toBe(400);
    const aurpay = await p.operator('POST', '/v1/withdrawals', { id: 'onchain-4', provider: 'aurpay', address: 'bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080' });
    expect(aurpay.status).toBe(400);
    expect(aurpay.body.error.code).toBe('invalid_address');
  });

  it('refuses a second withdrawal to an address whose withdrawal is not final, and takes one once it ended', async () => {
    const address = regtestAddress(7);
    const first = { id: 'onchain-open-1', provider: 'turinpay', address };
    expect((await p.operator('POST', '/v1/withdrawals', first)).status).toBe(202);
    const second = await p.operator('POST', '/v1/withdrawals', { id: 'onchain-open-2', provider: 'turinpay', address });
    expect(second.status).toBe(409);
    expect(second.body.error).toMatchObject({ code: 'invalid_state', message: expect.stringContaining('onchain-open-1') });
    expect((await p.operator('GET', '/v1/withdrawals/onchain-open-2')).status).toBe(404);
    // The same body again is a replay of the open one, not a second withdrawal.
    expect((await p.operator('POST', '/v1/withdrawals', first)).status).toBe(200);
    expect((await p.operator('POST', '/v1/withdrawals/onchain-open-1/cancel', {})).body.status).toBe('cancelled');
    const after = await p.operator('POST', '/v1/withdrawals', { id: 'onchain-open-2', provider: 'turinpay', address });
    expect(after.status).toBe(202);
    expect(after.body.status).toBe('awaiting_approval');
  });
});
