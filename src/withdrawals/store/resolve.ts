import { callOf } from '../script-layout.ts';
import { RESOLVE } from '../script-layouts.ts';
import { packInvoice, unpackInvoice } from '../stored-invoice.ts';
import type { HistoryEntry } from '../types.ts';
import type { StoreContext } from './context.ts';

/** The invoice a Lightning Address server minted for a withdrawal, checked (src/lnurl/resolve.ts). */
export interface ResolvedInvoice {
  invoice: string;
  paymentHash: string;
  /** Unix ms. */
  expiresAt: number;
  /** Whether the invoice's description hash is the SHA-256 of the server's metadata (recorded, not required). */
  descriptionHashMatches: boolean;
  /** Unix ms after which reconciliation gives up: the invoice's expiry plus the grace. */
  reconcileDeadline: number;
  /** Why, for the history entry. */
  cause: string;
}

export type StoreInvoiceResult =
  | { kind: 'stored' }
  /** It has an invoice already (stored by an earlier attempt): that one is paid or nothing. */
  | { kind: 'resolved'; invoice: string }
  /** Not `queued` (cancelled meanwhile, or already on its way): nothing written. */
  | { kind: 'status'; status: string }
  /** Another withdrawal holds this payment hash: nothing written. */
  | { kind: 'invoice_used'; otherId: string }
  | { kind: 'missing' };

/** Storing a Lightning Address withdrawal's invoice, once, atomically with its payment-hash claim (resolve.lua). */
export function createResolves(ctx: StoreContext) {
  const { redis, keys } = ctx;

  async function storeInvoice(id: string, r: ResolvedInvoice): Promise<StoreInvoiceResult> {
    const at = ctx.now();
    const entry: HistoryEntry = { status: 'queued', at: at.toISOString(), cause: r.cause };
    const [kind, detail] = await redis.wdResolve(
      ...callOf(
        RESOLVE,
        { record: keys.record(id), history: keys.history(id), paymentHash: keys.paymentHash(r.paymentHash), legacyPaymentHash: keys.legacyPaymentHash(r.paymentHash) },
        {
          id,
          invoice: packInvoice(r.invoice),
          paymentHash: r.paymentHash,
          paymentHashField: keys.paymentHashField(r.paymentHash),
          expiresAt: String(r.expiresAt),
          descriptionHashMatches: r.descriptionHashMatches ? '1' : '0',
          nowIso: at.toISOString(),
          entry: JSON.stringify(entry),
          reconcileDeadline: String(r.reconcileDeadline),
        },
      ),
    );
    switch (kind) {
      case 'ok':
        return { kind: 'stored' };
      case 'resolved':
        return { kind: 'resolved', invoice: unpackInvoice(detail ?? '') };
      case 'status':
        return { kind: 'status', status: detail ?? '' };
      case 'invoice_used':
        return { kind: 'invoice_used', otherId: detail ?? '' };
      case 'missing':
      case 'not_an_address':
        return { kind: 'missing' };
      default:
        throw new Error(`withdrawal ${id}: the resolve script refused its input (${String(detail)})`);
    }
  }

  /**
   * When resolving this withdrawal's Lightning Address was first tried: `nowMs` on the first call,
   * the stored time on every later one (another attempt, another worker, a restarted process), so
   * LNURL_RESOLVE_DEADLINE_MS runs from the first attempt. Kept `keepMs`, then forgotten.
   */
  async function resolveStartedAt(id: string, nowMs: number, keepMs: number): Promise<number> {
    // SET NX GET (Redis 7): one command both claims the first attempt and reads an earlier claim.
    const earlier = await redis.call('SET', keys.resolveStart(id), String(nowMs), 'NX', 'GET', 'PX', String(Math.max(1, Math.ceil(keepMs))));
    if (typeof earlier !== 'string') return nowMs;
    const at = Number(earlier);
    return Number.isSafeInteger(at) && at > 0 ? at : nowMs;
  }

  return { storeInvoice, resolveStartedAt };
}
