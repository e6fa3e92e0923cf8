/** Provider answers from the published examples (shared/docs/seeds). */

export const INVOICE =
  'lntb360n1pspxefzpp5jgpgl6evfnr7n3a3m8kslnus8vw64rwf2k7mxaljh6zjp4fzmy7sdqqcqzpgxqrrsssp5mmmdvdq7raf3fhadv8mj6v770z7x7yufy963sss37rxhzg28md7q9qy9qsq5fr7rsc8x0gghdnzk8jnxm5mpuh889vx577xqju29rvqy0wja9ykcvdsx8zhzujgcmj958zqagnf5yh3dmcg8tmgyyuehfq3fxu4tssqge57j5';
export const PAYMENT_HASH = '92028feb2c4cc7e9c7b1d9ed0fcf903b1daa8dc955bdb377f2be8520d522d93d';
export const OTHER_HASH = 'ff'.repeat(32);

export const AURPAY_TX_ID = '9a2733ca-f523-4f9f-b20c-3135153f3cad';

export function aurpayWithdrawAnswer(data: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    code: 0,
    message: 'ok',
    data: {
      user_id: 'mct-fae46f21d1b9',
      tx_id: AURPAY_TX_ID,
      type: 'WITHDRAW',
      status: 'SUCCESS',
      chain: 'BLN',
      currency: 'BTC-LN',
      amount: '0.00004321',
      fee: '0',
      balance: '0.00277925368',
      update_time: '2024-04-28T08:00:00',
      ...data,
    },
    result: true,
  };
}

export function aurpayTx(txId: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    user_id: 'mct-fae46f21d1b9',
    tx_id: txId,
    tx_type: 'WITHDRAW',
    status: 'SUCCESS',
    chain: 'BLN',
    currency: 'BTC-LN',
    amount: '0.00000036',
    obtained: null,
    fee: '0.00000001',
    ...extra,
  };
}

export function aurpayTxPage(page: number, maxPage: number, txs: unknown[], size = 50): Record<string, unknown> {
  return { code: 0, message: 'ok', data: { page, size, total: maxPage * size, max_page: maxPage, data: txs }, result: true };
}

export function turinpayWithdrawal(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    invoiceId: PAYMENT_HASH,
    amount: 36,
    buttonId: 'ba8ccce1-e3d4-404c-b003-c72f91fc3b1c',
    buyerEmail: 'demo@email.com',
    checkoutId: '69fe9f2a-d6ed-4369-b059-65d952c83f79',
    fees: 1,
    ln: {
      expiresOn: 1611887410096,
      chain_address: null,
      created_at: '2021-01-29T01:30:10.000Z',
      description: null,
      id: PAYMENT_HASH,
      mtokens: '36000',
      request: INVOICE,
      secret: 'fe97d60bf8c48a31c60e8092946c5cb43e522202e52ee1fa493c89389ed6c8b0',
      tokens: 36,
      requestBtn: `lightning:${INVOICE}`,
    },
    orderId: 'Order-1',
    rates: { EUR: 28003.4, USD: 33949.8 },
    status: 'PAID',
    userId: '0224a944-b051-4d79-8c41-88dee575aafe',
    ipn: { ack_on: 1611883827300 },
    network: 'testnet',
    ...extra,
  };
}
