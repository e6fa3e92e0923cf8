import { createHash } from 'node:crypto';
import type { Resolution } from '../../src/lnurl/resolve.ts';
import type { Conductor } from './conductor.ts';

/** What a Lightning Address server does with the next invoice request (the model arms these). */
export const LNURL_BEHAVIOURS = ['mint', 'refuse', 'unreachable', 'worker_stops'] as const;
export type LnurlBehaviour = (typeof LNURL_BEHAVIOURS)[number];

/** An invoice the server minted for a withdrawal: every callback mints a new one. */
export interface Minted {
  withdrawalId: string;
  invoice: string;
  paymentHash: string;
}

/** A callback made for a withdrawal that already had an invoice stored: a resolution that must never happen. */
export interface LateCallback {
  withdrawalId: string;
  stored: string;
  /** A submit attempt had begun (the record had been fenced at least once) when the server was asked. */
  afterAttempt: boolean;
}

/**
 * The Lightning Address servers the model's payees use: each callback mints a fresh invoice (a new
 * payment hash), so an engine that resolved twice would hold, or pay, two different invoices.
 * Addresses are `<withdrawal id>@wallet.example`.
 */
export function createLnurlServer(
  conductor: Conductor,
  now: () => number,
  invoiceLifeMs: number,
  note: (line: string) => void,
  /** The invoice the store holds for a withdrawal now, and its submit attempts so far (read straight from Redis, no step). */
  storedInvoice: (withdrawalId: string) => Promise<{ invoice: string | null; attempts: number }>,
) {
  const minted: Minted[] = [];
  const late: LateCallback[] = [];
  const armed: LnurlBehaviour[] = [];

  async function resolve(lightningAddress: string, amountMsat: bigint): Promise<Resolution> {
    const withdrawalId = lightningAddress.split('@')[0] ?? '';
    await conductor.step(`lnurl.callback ${withdrawalId}`);
    const current = await storedInvoice(withdrawalId);
    if (current.invoice !== null) late.push({ withdrawalId, stored: current.invoice, afterAttempt: current.attempts > 0 });
    const behaviour = armed.shift() ?? 'mint';
    let out: Resolution;
    switch (behaviour) {
      case 'refuse':
        out = { ok: false, code: 'lnurl_refused', message: 'no such user', attempts: 1 };
        break;
      case 'unreachable':
        out = { ok: false, code: 'lnurl_unreachable', message: 'connect ECONNREFUSED (gave up at the deadline)', attempts: 3 };
        break;
      case 'worker_stops':
        // The worker began to stop while waiting to ask again: nothing decided.
        out = { ok: false, code: null, message: 'the worker is stopping', attempts: 1 };
        break;
      case 'mint': {
        const n = minted.filter((m) => m.withdrawalId === withdrawalId).length + 1;
        const invoice = `lnbcrt-${withdrawalId}-inv${n}`;
        const m: Minted = { withdrawalId, invoice, paymentHash: createHash('sha256').update(invoice).digest('hex') };
        minted.push(m);
        out = { ok: true, invoice: m.invoice, paymentHash: m.paymentHash, expiresAt: now() + invoiceLifeMs, descriptionHashMatches: true, attempts: 1 };
        break;
      }
    }
    note(`lnurl callback for ${withdrawalId} of ${amountMsat} msat (${behaviour}) -> ${out.ok ? out.invoice : (out.code ?? 'nothing decided')}`);
    // The answer travels back: another step (a crash here loses a minted invoice).
    await conductor.step(`lnurl.callback ${withdrawalId} answers`);
    return out;
  }

  return {
    minted,
    late,
    resolve,
    arm(behaviour: LnurlBehaviour): void {
      armed.push(behaviour);
    },
    disarm(): void {
      armed.length = 0;
    },
  };
}
