/** The fake Aurpay: `POST /api/bln/withdraw` and `GET /api/v2/tx` (providers.md §1). */
import { aurpayAuthFailure, type AurpayCredentials } from './aurpay-auth.ts';
import {
  AURPAY_CODES,
  aurpayDialect,
  aurpayFailure,
  aurpayRefusal,
  txListAnswer,
} from './aurpay-body.ts';
import { btcToMsat } from './btc.ts';
import type { SubmitCounter } from './counts.ts';
import type { FaultBook } from './faults.ts';
import { INVOICE_HRP, readInvoice, type SandboxNetwork } from './invoice.ts';
import { isJsonContentType, parseJsonObject, type Handler, type Outcome, type SandboxRequest } from './outcome.ts';
import type { TokenBucket } from './rate-limit.ts';
import type { TxStore } from './store.ts';
import { runSubmit } from './submit-flow.ts';

export interface AurpayContext {
  credentials: AurpayCredentials;
  network: SandboxNetwork;
  faults: FaultBook;
  submits: SubmitCounter;
  store: TxStore;
  bucket: TokenBucket | null;
  /** Largest page size served by GET /api/v2/tx. */
  maxPageSize: number;
}

const WITHDRAW = '/api/bln/withdraw';
const TX_LIST = '/api/v2/tx';
const DEFAULT_PAGE_SIZE = 10;

/** Fee: 1 sat per 1000 sat, i.e. amount / 1000, rounded down to whole msat. */
export function aurpayFeeMsat(amountMsat: bigint): bigint {
  return amountMsat / 1000n;
}

function badRequest(message: string): Outcome {
  return aurpayFailure(400, 400, message);
}

function withdraw(request: SandboxRequest, ctx: AurpayContext): Outcome {
  if (!isJsonContentType(request.headers)) return badRequest('Content-Type must be application/json');
  const body = parseJsonObject(request.rawBody);
  if (body === null) return badRequest('body must be a JSON object');
  const invoice = body.ln_invoices;
  if (typeof invoice !== 'string' || invoice.length === 0) return badRequest('ln_invoices is required');

  let requestedMsat: bigint | null = null;
  if (body.amount !== undefined && body.amount !== null) {
    if (typeof body.amount !== 'string') return aurpayRefusal(AURPAY_CODES.invalidAmount, 'amount must be a decimal string');
    requestedMsat = btcToMsat(body.amount);
    if (requestedMsat === null || requestedMsat === 0n) return aurpayRefusal(AURPAY_CODES.invalidAmount, 'invalid amount');
  }

  const decoded = readInvoice(invoice);
  if (decoded === null) return aurpayRefusal(AURPAY_CODES.invalidInvoice, 'invalid lightning invoice');
  if (decoded.hrp !== INVOICE_HRP[ctx.network]) return aurpayRefusal(AURPAY_CODES.wrongNetwork, 'invoice is for another network');
  if (decoded.amountMsat !== null && requestedMsat !== null && decoded.amountMsat !== requestedMsat) {
    return aurpayRefusal(AURPAY_CODES.amountMismatch, 'amount does not match the invoice');
  }
  const amountMsat = decoded.amountMsat ?? requestedMsat;
  if (amountMsat === null) return aurpayRefusal(AURPAY_CODES.amountRequired, 'amount is required for an invoice without amount');
  if (amountMsat === 0n) return aurpayRefusal(AURPAY_CODES.invalidAmount, 'invalid amount');

  ctx.submits.add('aurpay', decoded.paymentHash);
  const fault = ctx.faults.forSubmit({ provider: 'aurpay', paymentHash: decoded.paymentHash, invoice });
  return runSubmit(
    fault,
    {
      paymentHash: decoded.paymentHash,
      invoice,
      amountMsat,
      feeMsat: aurpayFeeMsat(amountMsat),
      description: decoded.description,
    },
    ctx.store,
    aurpayDialect(ctx.store),
  );
}

/** page/size query parameters: absent → default, else a positive integer. */
function positiveInt(raw: string | null, fallback: number): number | null {
  if (raw === null) return fallback;
  if (!/^\d{1,9}$/.test(raw)) return null;
  const value = Number(raw);
  return value >= 1 ? value : null;
}

function listTransactions(request: SandboxRequest, ctx: AurpayContext): Outcome {
  const page = positiveInt(request.query.get('page'), 1);
  const size = positiveInt(request.query.get('size'), DEFAULT_PAGE_SIZE);
  if (page === null || size === null) return badRequest('page and size must be positive integers');
  const txs = ctx.store.list();
  for (const tx of txs) ctx.store.observe(tx);
  return txListAnswer(txs, page, Math.min(size, ctx.maxPageSize));
}

export function aurpayHandler(ctx: AurpayContext): Handler {
  return (request) => {
    const known = request.path === WITHDRAW || request.path === TX_LIST;
    const route = known ? `${request.method} ${request.path}` : 'other';
    if (!known) return { route, outcome: aurpayFailure(404, 404, 'not found') };
    const expected = request.path === WITHDRAW ? 'POST' : 'GET';
    if (request.method !== expected) return { route, outcome: aurpayFailure(405, 405, 'method not allowed') };

    const wait = ctx.bucket?.take() ?? null;
    if (wait !== null) {
      return { route, outcome: aurpayFailure(429, 429, 'too many requests', { 'retry-after': String(wait) }) };
    }
    const authFailure = aurpayAuthFailure(request, ctx.credentials);
    if (authFailure !== null) return { route, outcome: aurpayFailure(401, 401, authFailure) };

    const outcome = request.path === WITHDRAW ? withdraw(request, ctx) : listTransactions(request, ctx);
    return { route, outcome };
  };
}
