import type { LookupOutcome, LookupRequest, ProviderClient, SubmitOutcome, SubmitRequest } from '../../src/providers/types.ts';
import type { Conductor } from './conductor.ts';

/** What a provider does with the next submit it receives (the model arms these, one per call). */
export const SUBMIT_BEHAVIOURS = [
  'accept_pending',
  'accept_paid',
  'refuse',
  'refuse_after_paying',
  'unknown',
  'unknown_after_paying',
  'paid_answer_lost',
  'hang',
  'hang_after_paying',
  'not_sent',
  'rate_limited',
  'auth_error',
  'accept_paid_garbled',
] as const;
export type SubmitBehaviour = (typeof SUBMIT_BEHAVIOURS)[number];

export type TxStatus = 'pending' | 'paid' | 'failed';

/** One payment a provider made (or is making): the world's truth about money. */
export interface Payment {
  ref: string;
  provider: string;
  withdrawalId: string;
  /** The invoice's payment hash, or the on-chain address paid. */
  paymentHash: string;
  status: TxStatus;
}

/** A submit whose answer is held until the model releases it. */
export interface Hang {
  provider: string;
  withdrawalId: string;
  answer: SubmitOutcome;
  release(): void;
  released: boolean;
}

function describe(o: SubmitOutcome): string {
  switch (o.kind) {
    case 'accepted':
      return `accepted ${o.status} ${o.providerRef ?? ''}`;
    case 'rejected':
      return `rejected (${o.message})`;
    default:
      return `${o.kind} (${o.reason})`;
  }
}

/** What a payment is keyed by: the invoice's payment hash, or the on-chain address. */
function destination(req: SubmitRequest): string {
  return req.paymentHash ?? req.address ?? '';
}

/** The default when nothing is armed: the provider takes the payment and answers pending. */
const DEFAULT_BEHAVIOUR: SubmitBehaviour = 'accept_pending';

/**
 * The outside world the engine pays into: one ledger of every payment any provider made, and fake
 * provider clients whose answers the model chooses. Lookups answer from the ledger.
 */
export function createWorld(conductor: Conductor, providers: readonly string[], note: (line: string) => void) {
  const payments: Payment[] = [];
  const hangs: Hang[] = [];
  const armed = new Map<string, SubmitBehaviour[]>(providers.map((p) => [p, []]));
  const lookupErrors = new Map<string, number>(providers.map((p) => [p, 0]));
  const outOfBalance = new Set<string>();
  let refs = 0;
  /** What providers answer when nothing is armed, in turn. */
  let defaults: readonly SubmitBehaviour[] = [DEFAULT_BEHAVIOUR];
  let defaultsUsed = 0;

  function pay(provider: string, req: SubmitRequest, status: TxStatus): Payment {
    const tx: Payment = { ref: `${provider}-tx${++refs}`, provider, withdrawalId: req.withdrawalId, paymentHash: destination(req), status };
    payments.push(tx);
    return tx;
  }

  function accepted(tx: Payment): SubmitOutcome {
    const status = tx.status === 'paid' ? 'succeeded' : tx.status;
    return { kind: 'accepted', status, providerRef: tx.ref, feeMsat: 1000n, raw: { ref: tx.ref, status: tx.status } };
  }

  /** The provider's answer and what it did, decided when the request arrives. */
  function answer(provider: string, req: SubmitRequest, behaviour: SubmitBehaviour): SubmitOutcome {
    switch (behaviour) {
      case 'not_sent':
        return { kind: 'not_sent', reason: 'connect ECONNREFUSED' };
      case 'rate_limited':
        return { kind: 'not_sent', reason: '429 too many requests', retryAfterMs: 1000 };
      case 'auth_error':
        return { kind: 'not_sent', reason: '401 unauthorized', authError: true };
      default:
    }
    if (outOfBalance.has(provider)) return { kind: 'rejected', message: 'insufficient balance (code 10001)', raw: { code: 10001 } };
    // A provider pays an invoice once: a resend of one it holds is refused (or its answer lost).
    const held = payments.find((t) => t.provider === provider && t.paymentHash === destination(req) && t.status !== 'failed');
    const lost: SubmitOutcome = { kind: 'unknown', reason: 'connection reset after the request was written' };
    if (held) {
      if (behaviour.startsWith('unknown') || behaviour.startsWith('hang') || behaviour === 'paid_answer_lost') return lost;
      return { kind: 'rejected', message: 'invoice already paid', raw: { ref: held.ref } };
    }
    switch (behaviour) {
      case 'accept_pending':
        return accepted(pay(provider, req, 'pending'));
      case 'accept_paid':
        return accepted(pay(provider, req, 'paid'));
      case 'refuse':
        return { kind: 'rejected', message: 'route not found', raw: { code: 'NO_ROUTE' } };
      case 'refuse_after_paying':
        pay(provider, req, 'paid');
        return { kind: 'rejected', message: 'payment error', raw: { code: 'ERR' } };
      case 'unknown':
        return { kind: 'unknown', reason: '502 bad gateway' };
      case 'unknown_after_paying':
        pay(provider, req, 'pending');
        return { kind: 'unknown', reason: '503 service unavailable' };
      case 'paid_answer_lost':
        pay(provider, req, 'paid');
        return lost;
      case 'hang':
        return { kind: 'unknown', reason: 'timeout after the request was written' };
      case 'hang_after_paying':
        return accepted(pay(provider, req, 'pending'));
      case 'accept_paid_garbled':
        // Pays, then reports amounts no record may hold (a provider's bug past its client's bounds):
        // the scripts refuse them before any write, so the payment is settled by a later lookup.
        return { kind: 'accepted', status: 'succeeded', providerRef: pay(provider, req, 'paid').ref, feeMsat: -1n, amountMsat: -1n, raw: { fee: -1 } };
    }
  }

  function client(provider: string): ProviderClient {
    return {
      name: provider,
      async submit(req) {
        await conductor.step(`${provider}.submit ${req.withdrawalId}`);
        const behaviour = armed.get(provider)?.shift() ?? defaults[defaultsUsed++ % defaults.length] ?? DEFAULT_BEHAVIOUR;
        const out = answer(provider, req, behaviour);
        const paid = payments.filter((t) => t.withdrawalId === req.withdrawalId).map((t) => `${t.ref}:${t.status}`);
        note(`${provider}.submit ${req.withdrawalId} (${behaviour}) -> ${describe(out)}; ledger ${paid.join(' ') || 'empty'}`);
        if (behaviour !== 'hang' && behaviour !== 'hang_after_paying') {
          // The answer travels back: another step.
          await conductor.step(`${provider}.submit ${req.withdrawalId} answers ${out.kind}`);
          return out;
        }
        let release!: () => void;
        const held = new Promise<SubmitOutcome>((resolve) => {
          release = () => resolve(out);
        });
        const hang: Hang = {
          provider,
          withdrawalId: req.withdrawalId,
          answer: out,
          released: false,
          release() {
            if (hang.released) return;
            hang.released = true;
            conductor.resume();
            release();
          },
        };
        hangs.push(hang);
        return conductor.blockOn(held);
      },
      async lookup(req: LookupRequest): Promise<LookupOutcome> {
        await conductor.step(`${provider}.lookup ${req.withdrawalId}`);
        const errors = lookupErrors.get(provider) ?? 0;
        if (errors > 0) {
          lookupErrors.set(provider, errors - 1);
          return { kind: 'error', reason: '500 internal error' };
        }
        const mine = payments.filter((t) => t.provider === provider);
        // By reference when one is known; else by payment hash, or by withdrawal for an address.
        const tx = req.providerRef
          ? mine.find((t) => t.ref === req.providerRef)
          : mine.filter((t) => (req.paymentHash ? t.paymentHash === req.paymentHash : t.withdrawalId === req.withdrawalId)).at(-1);
        if (!tx) return { kind: 'not_found', reason: 'no such transaction' };
        const status = tx.status === 'paid' ? 'succeeded' : tx.status;
        return { kind: 'found', status, providerRef: tx.ref, feeMsat: 1000n, raw: { ref: tx.ref, status: tx.status } };
      },
    };
  }

  return {
    payments,
    hangs,
    outOfBalance,
    clients: Object.fromEntries(providers.map((p) => [p, client(p)])) as Record<string, ProviderClient>,
    arm(provider: string, behaviour: SubmitBehaviour): void {
      armed.get(provider)?.push(behaviour);
    },
    /** From now on, submits with nothing armed behave as these, in turn. */
    answerInTurn(behaviours: readonly SubmitBehaviour[]): void {
      defaults = behaviours.length > 0 ? behaviours : [DEFAULT_BEHAVIOUR];
      defaultsUsed = 0;
    },
    failLookups(provider: string, count: number): void {
      lookupErrors.set(provider, (lookupErrors.get(provider) ?? 0) + count);
    },
    /** The provider finishes a pending payment. */
    settle(tx: Payment, to: 'paid' | 'failed'): void {
      if (tx.status === 'pending') tx.status = to;
    },
    pendingPayments: (): Payment[] => payments.filter((t) => t.status === 'pending'),
    openHangs: (): Hang[] => hangs.filter((h) => !h.released),
    disarm(): void {
      for (const list of armed.values()) list.length = 0;
      for (const p of providers) lookupErrors.set(p, 0);
    },
  };
}

export type World = ReturnType<typeof createWorld>;
