import type { Caller } from '../callers.ts';
import type { Fault, FaultPlan } from '../providers/sandbox/index.ts';
import type { EnqueueDeps } from '../withdrawals/enqueue.ts';
import { approveWithdrawal } from '../withdrawals/operator.ts';
import type { WithdrawalStore } from '../withdrawals/store.ts';
import type { WithdrawalRecord } from '../withdrawals/types.ts';
import { payeeInvoice } from './payee.ts';

/**
 * The money policy in the demo: one payout large enough to wait for an operator's approval (the
 * demo's own operator approves it), and one routed `auto` whose first provider refuses it (out of
 * balance), so that it fails over to the second. Both take the last two places of the batch.
 */

/** Above every other demo payout (at most 100,000 sat): APPROVAL_THRESHOLD_MSAT of the demo. */
export const DEMO_APPROVAL_THRESHOLD_MSAT = 1_000_000_000n;
export const DEMO_OPERATOR: Caller = { name: 'demo-operator', role: 'operator' };

export interface Showcase {
  heldId: string;
  heldHash: string;
  failoverId: string;
  failoverHash: string;
}

/** Turns the last two items into the held payout and the failover; returns their ids. */
export function addShowcase(items: Record<string, string>[]): Showcase | null {
  if (items.length < 2) return null;
  const held = items.length - 2;
  const failover = items.length - 1;
  const large = DEMO_APPROVAL_THRESHOLD_MSAT * 2n;
  const h = payeeInvoice({ network: 'regtest', amountMsat: large, description: `demo payout ${held} (large)` });
  items[held] = { id: `demo-${held}`, provider: 'turinpay', invoice: h.invoice, amountMsat: large.toString(), description: `demo payout ${held}, held for approval` };
  const f = payeeInvoice({ network: 'regtest', amountMsat: 50_000_000n, description: `demo payout ${failover} (auto)` });
  items[failover] = { id: `demo-${failover}`, provider: 'auto', invoice: f.invoice, amountMsat: '50000000', description: `demo payout ${failover}, routed auto` };
  return { heldId: `demo-${held}`, heldHash: h.paymentHash, failoverId: `demo-${failover}`, failoverHash: f.paymentHash };
}

/** The demo's faults, except that Aurpay refuses the failover payout (out of balance) and TurinPay pays it. */
export function withShowcaseFaults(base: FaultPlan, showcase: Showcase | null): FaultPlan {
  return {
    pick(ctx): Fault {
      if (showcase && ctx.paymentHash === showcase.failoverHash) return ctx.provider === 'aurpay' ? 'refuse' : 'none';
      if (showcase && ctx.paymentHash === showcase.heldHash) return 'none';
      return base.pick(ctx);
    },
  };
}

/** The demo's operator approves the held payout, as `POST /v1/withdrawals/:id/approve` would. */
export async function approveHeld(deps: EnqueueDeps, showcase: Showcase | null): Promise<void> {
  if (!showcase) return;
  const res = await approveWithdrawal(deps, showcase.heldId, DEMO_OPERATOR, { note: 'large payout checked by the demo' });
  if (!res.ok) throw new Error(`the demo could not approve ${showcase.heldId}: ${res.error.message}`);
}

export interface ShowcaseReport {
  approval: { id: string; approvedBy: string[]; status: string } | null;
  failover: { id: string; from: string; to: string; why: string; status: string } | null;
}

function failoverOf(rec: WithdrawalRecord): { from: string; to: string; why: string } | null {
  for (const h of rec.history) {
    const m = /^failover from (\w+) \((.*)\) to (\w+)$/.exec(h.cause ?? '');
    if (m?.[1] && m[2] && m[3]) return { from: m[1], why: m[2], to: m[3] };
  }
  return null;
}

/** What became of the two showcase payouts, read from their records. */
export async function showcaseReport(store: WithdrawalStore, showcase: Showcase | null): Promise<ShowcaseReport> {
  if (!showcase) return { approval: null, failover: null };
  const [held, routed] = await Promise.all([store.get(showcase.heldId), store.get(showcase.failoverId)]);
  const approvedBy = held ? held.history.filter((h) => h.cause?.startsWith('approved')).map((h) => h.actor ?? '?') : [];
  const moved = routed ? failoverOf(routed) : null;
  return {
    approval: held ? { id: held.id, approvedBy, status: held.status } : null,
    failover: routed && moved ? { id: routed.id, ...moved, status: routed.status } : null,
  };
}

export function formatShowcase(r: ShowcaseReport): string[] {
  const lines: string[] = [];
  if (r.approval) lines.push(`approval: ${r.approval.id} held for approval, approved by ${r.approval.approvedBy.join(', ') || 'nobody'}, now ${r.approval.status}`);
  if (r.failover) lines.push(`failover: ${r.failover.id} routed auto to ${r.failover.from} (${r.failover.why}), failed over to ${r.failover.to}, now ${r.failover.status}`);
  return lines;
}
