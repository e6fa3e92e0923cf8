/**
 * The provider-neutral part of a submit: given the fault decided for this invoice, record
 * (or not) a withdrawal and pick what goes back on the wire. Provider dialects render bodies.
 */
import type { Fault } from './faults.ts';
import { rawAnswer, type Outcome } from './outcome.ts';
import type { NewTx, SandboxTx, TxStore } from './store.ts';

export interface Dialect {
  /** The normal answer describing a recorded withdrawal (status follows tx.state). */
  accepted(tx: SandboxTx): Outcome;
  /** The provider's explicit refusal envelope (insufficient balance). */
  refused(): Outcome;
  /** The refusal envelope saying this invoice was already paid. */
  alreadyPaid(): Outcome;
  unauthorized(): Outcome;
  /** 429; `retryAfterSeconds` null means no Retry-After header. */
  rateLimited(retryAfterSeconds: number | null): Outcome;
  /** The JSON body of a provider-side 500. */
  serverErrorJson(): unknown;
}

export type SubmitInput = Omit<NewTx, 'fault' | 'pending' | 'finalState'>;

const HTML_502 =
  '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n';

/** Even/odd from the last hex digit, to alternate shapes deterministically per invoice. */
export function hashIsOdd(hex: string): boolean {
  const last = Number.parseInt(hex.slice(-1), 16);
  return Number.isInteger(last) && last % 2 === 1;
}

export function runSubmit(fault: Fault, input: SubmitInput, store: TxStore, dialect: Dialect): Outcome {
  const pay = (pending: boolean, finalState: 'paid' | 'failed'): SandboxTx =>
    store.create({ ...input, fault, pending, finalState });
  // The provider remembers what it paid: a second submit of a paid invoice is refused, nothing paid.
  if (fault === 'already_paid' && store.hasPaid(input.paymentHash)) return dialect.alreadyPaid();
  // Out of balance: the provider's explicit refusal (insufficient balance), nothing paid.
  const paying = fault !== 'refuse' && fault !== 'auth_error' && fault !== 'rate_limit' && fault !== 'rate_limit_no_retry_after';
  if (paying && !store.canPay(input.amountMsat + input.feeMsat)) return dialect.refused();

  switch (fault) {
    case 'refuse':
      return dialect.refused();
    case 'auth_error':
      return dialect.unauthorized();
    case 'rate_limit':
      return dialect.rateLimited(1);
    case 'rate_limit_no_retry_after':
      return dialect.rateLimited(null);
    case 'none':
    case 'already_paid':
      return dialect.accepted(pay(false, 'paid'));
    case 'pending_then_success':
      return dialect.accepted(pay(true, 'paid'));
    case 'pending_then_failure':
      return dialect.accepted(pay(true, 'failed'));
    case 'error_after_payment': {
      pay(false, 'paid');
      if (hashIsOdd(input.paymentHash)) {
        return { kind: 'answer', answer: { status: 500, contentType: 'application/json', body: JSON.stringify(dialect.serverErrorJson()) } };
      }
      return rawAnswer(502, 'text/html', HTML_502);
    }
    case 'hang_after_payment':
      pay(false, 'paid');
      return { kind: 'hang' };
    case 'reset_after_payment':
      pay(false, 'paid');
      return { kind: 'reset' };
    case 'refuse_after_payment':
      // Paid, then answered with the same explicit refusal as `refuse`: a refusal proves nothing.
      pay(false, 'paid');
      return dialect.refused();
    case 'malformed_body': {
      const tx = pay(false, 'paid');
      const normal = dialect.accepted(tx);
      if (hashIsOdd(input.paymentHash) || normal.kind !== 'answer') {
        return rawAnswer(200, 'application/json; charset=utf-8', 'OK');
      }
      const body = normal.answer.body;
      return rawAnswer(200, normal.answer.contentType, body.slice(0, Math.floor(body.length / 2)));
    }
  }
}
