/** TurinPay's JSON shapes (providers.md §2.0, §2.2 and seed 002), rendered from sandbox state. */
import { createHash } from 'node:crypto';
import type { SandboxNetwork } from './invoice.ts';
import { readInvoice } from './invoice.ts';
import { jsonAnswer, type Outcome } from './outcome.ts';
import type { SandboxTx } from './store.ts';
import { hashIsOdd, type Dialect } from './submit-flow.ts';

export type TurinpayEnvelope = 'bare' | 'data' | 'alternate';

export const TURINPAY_USER_ID = '0224a944-b051-4d79-8c41-88dee575aafe';

const NETWORK_NAME: Record<SandboxNetwork, string> = {
  bitcoin: 'mainnet',
  testnet: 'testnet',
  signet: 'signet',
  regtest: 'regtest',
};

/** Fee in sats: 1 sat plus 1 sat per 1000 sat (the seed shows 36 sat → fee 1). */
export function turinpayFeeSats(amountSats: bigint): bigint {
  return 1n + amountSats / 1000n;
}

function statusWord(tx: SandboxTx): 'PENDING' | 'PAID' | 'FAILED' {
  if (tx.state === 'paid') return 'PAID';
  if (tx.state === 'failed') return 'FAILED';
  return 'PENDING';
}

/** sats as a JSON number; always a safe integer for any amount of bitcoin that exists. */
function sats(msat: bigint): number {
  return Number(msat / 1000n);
}

function uuidFrom(seed: string): string {
  const h = createHash('sha256').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function lnObject(tx: SandboxTx): Record<string, unknown> | null {
  const decoded = readInvoice(tx.invoice);
  if (decoded === null) return null;
  return {
    expiresOn: (decoded.timestamp + decoded.expirySeconds) * 1000,
    chain_address: null,
    created_at: new Date(decoded.timestamp * 1000).toISOString(),
    description: decoded.description ?? null,
    id: decoded.paymentHash,
    mtokens: tx.amountMsat.toString(),
    request: tx.invoice,
    tokens: sats(tx.amountMsat),
    requestBtn: `lightning:${tx.invoice}`,
  };
}

export function withdrawalObject(tx: SandboxTx, network: SandboxNetwork): Record<string, unknown> {
  const ln = lnObject(tx);
  return {
    invoiceId: tx.id,
    amount: sats(tx.amountMsat),
    buttonId: null,
    buyerEmail: null,
    checkoutId: uuidFrom(`checkout:${tx.id}:${tx.seq}`),
    fees: sats(tx.feeMsat),
    ln,
    ...(ln === null ? { address: tx.invoice, type: 'BTC' } : {}),
    orderId: null,
    rates: { EUR: 28003.4, USD: 33949.8 },
    status: statusWord(tx),
    userId: TURINPAY_USER_ID,
    ipn: { ack_on: tx.updatedAt.getTime() },
    network: NETWORK_NAME[network],
    description: tx.description,
  };
}

/** 'alternate': bare object for an even last hex digit of the id, `{ data }` for an odd one. */
export function envelope(tx: SandboxTx, network: SandboxNetwork, mode: TurinpayEnvelope): Outcome {
  const object = withdrawalObject(tx, network);
  const wrapped = mode === 'data' || (mode === 'alternate' && hashIsOdd(tx.id));
  return jsonAnswer(200, wrapped ? { data: object } : object);
}

export function turinpayError(status: number, message: string, headers?: Record<string, string>): Outcome {
  return jsonAnswer(status, { success: false, message }, headers);
}

export function turinpayDialect(network: SandboxNetwork, mode: TurinpayEnvelope): Dialect {
  return {
    accepted: (tx) => envelope(tx, network, mode),
    refused: () => turinpayError(400, 'insufficient balance'),
    alreadyPaid: () => turinpayError(400, 'invoice already paid'),
    unauthorized: () => turinpayError(401, 'unauthorized'),
    rateLimited: (seconds) =>
      turinpayError(429, 'too many requests', seconds === null ? undefined : { 'retry-after': String(seconds) }),
    serverErrorJson: () => ({ success: false, message: 'Internal server error' }),
  };
}
