import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPipeline, type Pipeline } from '../support/pipeline.ts';

/**
 * What the door does with a `lightningAddress` (interface.md, "Lightning Addresses"): accepted on its
 * form alone, with the money policy of any withdrawal, and refused when it can never work. No workers:
 * nothing here is resolved.
 */

let p: Pipeline;
beforeAll(async () => {
  p = await startPipeline({ workers: false, env: { APPROVAL_THRESHOLD_MSAT: '5000000', MAX_AMOUNT_MSAT: '9000000', LIMIT_DAILY_COUNT: '12', DASHBOARD_USER: 'ops', DASHBOARD_PASSWORD: 'dashboard-secret-1' } });
});
afterAll(async () => p.close());

const address = (id: string, over: Record<string, unknown> = {}) => ({ id, provider: 'auto', lightningAddress: 'alice@wallet.example.com', amountMsat: '21000', ...over });

describe('accepting a Lightning Address', () => {
  it('answers 202 with the address on the record and no invoice or payment hash yet; the same body again answers 200', async () => {
    const created = await p.call('POST', '/v1/withdrawals', address('la-1', { description: 'tips' }));
    expect(created.status).toBe(202);
    expect(created.body).toMatchObject({ id: 'la-1', status: 'queued', lightningAddress: 'alice@wallet.example.com', invoice: null, paymentHash: null, address: null, amountMsat: '21000' });
    const replay = await p.call('POST', '/v1/withdrawals', address('la-1', { description: 'tips' }));
    expect(replay.status).toBe(200);
    expect(replay.body.id).toBe('la-1');
    const conflict = await p.call('POST', '/v1/withdrawals', address('la-1', { amountMsat: '22000', description: 'tips' }));
    expect(conflict.status).toBe(409);
    expect(conflict.body.error.code).toBe('idempotency_conflict');
  });

  it('shows the address on the dashboard page of the withdrawal', async () => {
    const res = await fetch(`${p.baseUrl}/admin/withdrawals/la-1`, { headers: { authorization: `Basic ${Buffer.from('ops:dashboard-secret-1').toString('base64')}` } });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('Lightning Address');
    expect(html).toContain('alice@wallet.example.com');
  });

  it('holds one at or above APPROVAL_THRESHOLD_MSAT for approval, and refuses one above MAX_AMOUNT_MSAT', async () => {
    const held = await p.call('POST', '/v1/withdrawals', address('la-held', { amountMsat: '6000000' }));
    expect(held.status).toBe(202);
    expect(held.body.status).toBe('awaiting_approval');
    const big = await p.call('POST', '/v1/withdrawals', address('la-big', { amountMsat: '10000000' }));
    expect(big.status).toBe(400);
    expect(big.body.error.code).toBe('invalid_request');
  });

  it('takes an LNURL-pay string', async () => {
    const lnurl = 'LNURL1DP68GURN8GHJ7UM9WFMXJCM99E3K7MF0V9CXJ0M385EKVCENXC6R2C35XVUKXEFCV5MKVV34X5EKZD3EV56NYD3HXQURZEPEXEJXXEPNXSCRVWFNV9NXZCN9XQ6XYEFHVGCXXCMYXYMNSERXFQ5FNS';
    const res = await p.call('POST', '/v1/withdrawals', address('la-lnurl', { lightningAddress: lnurl, provider: 'turinpay' }));
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ lightningAddress: lnurl, provider: 'turinpay', invoice: null });
  });

  it('accepts Lightning Addresses in NDJSON and CSV batches', async () => {
    const nd = `${JSON.stringify(address('la-nd-1'))}\n${JSON.stringify(address('la-nd-2', { amountMsat: '21500' }))}\n`;
    const ndRes = await p.call('POST', '/v1/batches?id=la-nd', nd, { 'content-type': 'application/x-ndjson' });
    expect(ndRes.status).toBe(202);
    expect(ndRes.body.accepted).toBe(1);
    expect(ndRes.body.rejected).toEqual([expect.objectContaining({ id: 'la-nd-2', error: expect.objectContaining({ code: 'invalid_request' }) })]);
    const csv = 'id,provider,lightningAddress,amountMsat,description\nla-csv-1,aurpay,bob@pay.example.net,30000,from csv\nla-csv-2,aurpay,bob@pay.example.net,,no amount\n';
    const csvRes = await p.call('POST', '/v1/batches?id=la-csv', csv, { 'content-type': 'text/csv' });
    expect(csvRes.status).toBe(202);
    expect(csvRes.body.accepted).toBe(1);
    expect(csvRes.body.rejected).toEqual([expect.objectContaining({ id: 'la-csv-2', error: expect.objectContaining({ code: 'amount_required' }) })]);
    expect((await p.call('GET', '/v1/withdrawals/la-csv-1')).body).toMatchObject({ lightningAddress: 'bob@pay.example.net', amountMsat: '30000', batchId: 'la-csv' });
  });
});

describe('refusing at the door what can never work', () => {
  it.each([
    ['a malformed address', { lightningAddress: 'not an address' }, 'invalid_request'],
    ['an amount that is not whole sats', { amountMsat: '21001' }, 'invalid_request'],
    ['no amount', { amountMsat: undefined }, 'amount_required'],
    ['a zero amount', { amountMsat: '0' }, 'invalid_request'],
    ['a loopback host', { lightningAddress: 'alice@127.0.0.1' }, 'invalid_request'],
    ['localhost', { lightningAddress: 'alice@localhost' }, 'invalid_request'],
    ['an IPv4-mapped loopback host', { lightningAddress: 'alice@[::ffff:127.0.0.1]' }, 'invalid_request'],
    ['a decimal loopback host', { lightningAddress: 'alice@2130706433' }, 'invalid_request'],
    ['an .onion host', { lightningAddress: 'alice@abcdefghijklmnop.onion' }, 'unsupported_destination'],
    ['an invoice beside it', { invoice: 'lnbcrt10u1x' }, 'invalid_request'],
  ])('%s', async (_what, over, code) => {
    const res = await p.call('POST', '/v1/withdrawals', JSON.parse(JSON.stringify(address('la-bad', over))));
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe(code);
    expect((await p.call('GET', '/v1/withdrawals/la-bad')).status).toBe(404);
  });

  it('refuses a BOLT12 offer in invoice as unsupported_destination', async () => {
    const res = await p.call('POST', '/v1/withdrawals', { id: 'offer-1', provider: 'aurpay', invoice: 'lno1qcp4256ypqpq86q2pucnq42ngssx2an9wfujqerp0y2pqun4wd68jtn00fkxzcnn9ehhyec' });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('unsupported_destination');
  });
});
