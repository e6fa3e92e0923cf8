/** Aurpay's JSON shapes (providers.md §1.0, §1.4, §1.5 and seed 000), rendered from sandbox state. */
import { msatToBtc } from './btc.ts';
import { jsonAnswer, type Outcome } from './outcome.ts';
import type { SandboxTx, TxStore } from './store.ts';
import type { Dialect } from './submit-flow.ts';

export const AURPAY_USER_ID = 'mct-5a4db0c0ffee';

/** Refusal codes the sandbox uses (Aurpay's own table was not found; these are invented). */
export const AURPAY_CODES = {
  insufficientBalance: 10001,
  invalidInvoice: 10002,
  wrongNetwork: 10003,
  amountRequired: 10004,
  amountMismatch: 10005,
  invalidAmount: 10006,
  alreadyPaid: 10007,
} as const;

/** "2024-04-28T08:00:00": the seed's format, UTC without zone designator. */
function aurpayTime(date: Date): string {
  return date.toISOString().slice(0, 19);
}

function statusWord(tx: SandboxTx): 'PENDING' | 'SUCCESS' | 'FAILED' {
  if (tx.state === 'paid') return 'SUCCESS';
  if (tx.state === 'failed') return 'FAILED';
  return 'PENDING';
}

export function aurpayFailure(httpStatus: number, code: number, message: string, headers?: Record<string, string>): Outcome {
  return jsonAnswer(httpStatus, { code, message, data: null, result: false }, headers);
}

/** HTTP 200 with a non-zero code: Aurpay's refusal envelope. */
export function aurpayRefusal(code: number, message: string): Outcome {
  return aurpayFailure(200, code, message);
}

export function withdrawAnswer(tx: SandboxTx, store: TxStore): Outcome {
  return jsonAnswer(200, {
    code: 0,
    message: 'ok',
    data: {
      user_id: AURPAY_USER_ID,
      tx_id: tx.id,
      type: 'WITHDRAW',
      status: statusWord(tx),
      chain: 'BLN',
      currency: 'BTC-LN',
      amount: msatToBtc(tx.amountMsat),
      fee: msatToBtc(tx.feeMsat),
      balance: msatToBtc(tx.balanceAfterMsat ?? store.balanceMsat),
      update_time: aurpayTime(tx.updatedAt),
    },
    result: true,
  });
}

export function txListItem(tx: SandboxTx): Record<string, unknown> {
  return {
    user_id: AURPAY_USER_ID,
    tx_id: tx.id,
    tx_type: 'WITHDRAW',
    status: statusWord(tx),
    chain: 'BLN',
    currency: 'BTC-LN',
    amount: msatToBtc(tx.amountMsat),
    obtained: null,
    fee: msatToBtc(tx.feeMsat),
    from_addr: null,
    to_addr: tx.invoice,
    tx_hash: tx.paymentHash,
    update_time: aurpayTime(tx.updatedAt),
    create_time: aurpayTime(tx.createdAt),
  };
}

export function txListAnswer(txs: SandboxTx[], page: number, size: number): Outcome {
  const total = txs.length;
  const start = (page - 1) * size;
  return jsonAnswer(200, {
    code: 0,
    message: 'ok',
    data: {
      page,
      size,
      total,
      max_page: Math.max(1, Math.ceil(total / size)),
      data: txs.slice(start, start + size).map(txListItem),
    },
    result: true,
  });
}

export function aurpayDialect(store: TxStore): Dialect {
  return {
    accepted: (tx) => withdrawAnswer(tx, store),
    refused: () => aurpayRefusal(AURPAY_CODES.insufficientBalance, 'insufficient balance'),
    alreadyPaid: () => aurpayRefusal(AURPAY_CODES.alreadyPaid, 'invoice already paid'),
    unauthorized: () => aurpayFailure(401, 401, 'unauthorized'),
    rateLimited: (seconds) =>
      aurpayFailure(429, 429, 'too many requests', seconds === null ? undefined : { 'retry-after': String(seconds) }),
    serverErrorJson: () => ({ code: 500, message: 'internal server error', data: null, result: false }),
  };
}
