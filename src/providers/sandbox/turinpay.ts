/** The fake TurinPay: `POST /withdrawals` and `GET /withdrawals?id=` (providers.md §2, seed 002). */
import { createHash } from 'node:crypto';
import { plausibleAddress } from './address.ts';
import { sameBytes } from './aurpay-auth.ts';
import type { SubmitCounter } from './counts.ts';
import type { FaultBook } from './faults.ts';
import { INVOICE_HRP, readInvoice, type SandboxNetwork } from './invoice.ts';
import { isJsonContentType, parseJsonObject, type Handler, type Outcome, type SandboxRequest } from './outcome.ts';
import type { TokenBucket } from './rate-limit.ts';
import type { TxStore } from './store.ts';
import { runSubmit, type SubmitInput } from './submit-flow.ts';
import { envelope, turinpayDialect, turinpayError, turinpayFeeSats, type TurinpayEnvelope } from './turinpay-body.ts';

export interface TurinpayContext {
  apiKey: string;
  network: SandboxNetwork;
  faults: FaultBook;
  submits: SubmitCounter;
  store: TxStore;
  bucket: TokenBucket | null;
  envelope: TurinpayEnvelope;
}

/** What an on-chain withdrawal moves in the sandbox (its account balance). */
export const ONCHAIN_BALANCE_SATS = 150_000n;

const WITHDRAWALS = new Set(['/withdrawals', '/withdrawals/']);

/** Reads the request body into what a submit needs, or the 400 answer explaining why not. */
function submitInput(body: Record<string, unknown>, ctx: TurinpayContext): SubmitInput | Outcome {
  const { address, type = 'ln', description } = body;
  if (typeof address !== 'string' || address.length === 0) return turinpayError(400, 'address is required');
  if (type !== 'ln' && type !== 'BTC') return turinpayError(400, 'type must be either "ln" or "BTC"');
  if (description !== undefined && description !== null && typeof description !== 'string') {
    return turinpayError(400, 'description must be a string');
  }
  const note = typeof description === 'string' ? description : null;

  if (type === 'BTC') {
    if (!plausibleAddress(address, ctx.network)) return turinpayError(400, 'invalid bitcoin address');
    const seq = ctx.store.list().length + 1;
    const id = createHash('sha256').update(`onchain:${address}:${seq}`).digest('hex');
    // TurinPay's on-chain withdrawal takes no amount: it moves the account's balance, which the
    // sandbox keeps at a fixed ONCHAIN_BALANCE_SATS so that the amount moved can be checked.
    return {
      id,
      paymentHash: id,
      invoice: address,
      amountMsat: ONCHAIN_BALANCE_SATS * 1000n,
      feeMsat: turinpayFeeSats(ONCHAIN_BALANCE_SATS) * 1000n,
      description: note,
    };
  }

  const decoded = readInvoice(address);
  if (decoded === null) return turinpayError(400, 'invalid bolt11 invoice');
  if (decoded.hrp !== INVOICE_HRP[ctx.network]) return turinpayError(400, 'invoice network mismatch');
  if (decoded.amountMsat === null || decoded.amountMsat === 0n) {
    return turinpayError(400, 'invoices without amount are not supported');
  }
  return {
    id: decoded.paymentHash,
    paymentHash: decoded.paymentHash,
    invoice: address,
    amountMsat: decoded.amountMsat,
    feeMsat: turinpayFeeSats(decoded.amountMsat / 1000n) * 1000n,
    description: note,
  };
}

function isOutcome(value: SubmitInput | Outcome): value is Outcome {
  return 'kind' in value;
}

function createWithdrawal(request: SandboxRequest, ctx: TurinpayContext): Outcome {
  if (!isJsonContentType(request.headers)) return turinpayError(400, 'Content-Type must be application/json');
  const body = parseJsonObject(request.rawBody);
  if (body === null) return turinpayError(400, 'body must be a JSON object');
  const input = submitInput(body, ctx);
  if (isOutcome(input)) return input;
  ctx.submits.add('turinpay', input.paymentHash);
  const fault = ctx.faults.forSubmit({ provider: 'turinpay', paymentHash: input.paymentHash, invoice: input.invoice });
  return runSubmit(fault, input, ctx.store, turinpayDialect(ctx.network, ctx.envelope));
}

function retrieveWithdrawal(request: SandboxRequest, ctx: TurinpayContext): Outcome {
  const id = request.query.get('id');
  if (id === null || id.length === 0) return turinpayError(400, 'id is required');
  const tx = ctx.store.byId(id.toLowerCase());
  if (tx === undefined) return turinpayError(404, 'withdrawal not found');
  return envelope(ctx.store.observe(tx), ctx.network, ctx.envelope);
}

export function turinpayHandler(ctx: TurinpayContext): Handler {
  return (request) => {
    if (!WITHDRAWALS.has(request.path)) return { route: 'other', outcome: turinpayError(404, 'not found') };
    const route = `${request.method} /withdrawals`;
    if (request.method !== 'POST' && request.method !== 'GET') {
      return { route, outcome: turinpayError(405, 'method not allowed') };
    }
    const wait = ctx.bucket?.take() ?? null;
    if (wait !== null) return { route, outcome: turinpayError(429, 'too many requests', { 'retry-after': String(wait) }) };
    const key = request.headers['x-api-key'];
    if (typeof key !== 'string' || !sameBytes(key, ctx.apiKey)) {
      return { route, outcome: turinpayError(401, 'invalid or missing X-API-Key') };
    }
    const outcome = request.method === 'POST' ? createWithdrawal(request, ctx) : retrieveWithdrawal(request, ctx);
    return { route, outcome };
  };
}
