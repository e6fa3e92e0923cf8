import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createAurpayClient } from '../../../src/providers/aurpay/index.ts';
import type { ProviderLogger } from '../../../src/providers/http/logger.ts';
import { createTurinpayClient } from '../../../src/providers/turinpay/index.ts';
import { AURPAY_TX_ID, INVOICE, PAYMENT_HASH, aurpayTx, aurpayTxPage, aurpayWithdrawAnswer, turinpayWithdrawal } from './helpers/fixtures.ts';
import { mockOrigin } from './helpers/mock.ts';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function pinoLines(): { lines: string[]; logger: ProviderLogger } {
  const lines: string[] = [];
  // A pino Logger must satisfy ProviderLogger without adapters.
  const logger: ProviderLogger = pino({ level: 'debug' }, { write: (line: string) => void lines.push(line) });
  return { lines, logger };
}

describe('logging through pino', () => {
  it('aurpay: submit and lookup lines carry outcome and ids, never the key, secret or signature', async () => {
    const apiKey = 'ak_live_PINO_KEY_1';
    const apiSecret = 'as_PINO_SECRET_2';
    const { agent, pool } = mockOrigin('http://aurpay.test');
    cleanups.push(() => agent.close());
    let signature = '';
    pool.intercept({ path: '/api/bln/withdraw', method: 'POST' }).reply((opts) => {
      signature = String(Object.fromEntries(Object.entries(opts.headers ?? {})).Signature);
      return { statusCode: 200, data: JSON.stringify(aurpayWithdrawAnswer()) };
    });
    pool.intercept({ path: '/api/v2/tx?page=1&size=50' }).reply(200, JSON.stringify(aurpayTxPage(1, 1, [aurpayTx(AURPAY_TX_ID)])));
    const { lines, logger } = pinoLines();
    const c = createAurpayClient({ baseUrl: 'http://aurpay.test', apiKey, apiSecret, timeoutMs: 200, dispatcher: agent, logger });
    await c.submit({ withdrawalId: 'w-9', invoice: INVOICE, address: null, paymentHash: PAYMENT_HASH, amountMsat: null, description: null });
    await c.lookup({ withdrawalId: 'w-9', providerRef: AURPAY_TX_ID, paymentHash: PAYMENT_HASH, invoice: INVOICE, amountMsat: null });
    await c.close?.();
    const text = lines.join('');
    expect(lines).toHaveLength(2);
    expect(text).toContain('"withdrawalId":"w-9"');
    expect(text).toContain('"outcome":"accepted"');
    expect(text).toContain('"outcome":"found"');
    expect(signature.length).toBeGreaterThan(10);
    for (const secret of [apiKey, apiSecret, signature]) expect(text).not.toContain(secret);
  });

  it('turinpay: the key never reaches the log', async () => {
    const apiKey = 'tp_PINO_KEY_3';
    const { agent, pool } = mockOrigin('http://turinpay.test');
    cleanups.push(() => agent.close());
    pool.intercept({ path: '/withdrawals', method: 'POST' }).reply(200, JSON.stringify(turinpayWithdrawal()));
    const { lines, logger } = pinoLines();
    const c = createTurinpayClient({ baseUrl: 'http://turinpay.test', apiKey, network: 'testnet', timeoutMs: 200, dispatcher: agent, logger });
    await c.submit({ withdrawalId: 'w-10', invoice: INVOICE, address: null, paymentHash: PAYMENT_HASH, amountMsat: null, description: null });
    expect(lines.join('')).toContain('"outcome":"accepted"');
    expect(lines.join('')).not.toContain(apiKey);
  });
});
