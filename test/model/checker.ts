import { idsOfEntries } from '../../src/withdrawals/store/status-sets.ts';
import { isFinal, STATUSES, type Status } from '../../src/withdrawals/status.ts';
import type { WithdrawalRecord } from '../../src/withdrawals/types.ts';
import { AT_REST } from './drain.ts';
import { PROVIDERS, type System } from './system.ts';
import type { LateCallback } from './lnurl-server.ts';
import type { Payment } from './world.ts';

export interface Violation {
  invariant: string;
  withdrawalId: string | null;
  detail: string;
}

/** Statuses nothing ever leaves. */
const FINAL: readonly Status[] = ['succeeded', 'failed', 'cancelled'];
const GIVEN_BACK: readonly Status[] = ['cancelled', 'failed'];
const NOTHING_PAID: readonly Status[] = ['failed', 'cancelled', 'awaiting_approval'];

/** The money invariants of one withdrawal, from its record (history included) and the world's ledger. */
function checkWithdrawal(rec: WithdrawalRecord, paid: Payment[], indexedIn: string[]): Violation[] {
  const out: Violation[] = [];
  const v = (invariant: string, detail: string) => out.push({ invariant, withdrawalId: rec.id, detail });
  const refs = paid.map((t) => `${t.provider}:${t.ref}`).join(', ');
  if (paid.length > 1) v('at most one payment per withdrawal, across all providers', `paid ${paid.length} times: ${refs}`);
  if (rec.status === 'succeeded') {
    const payer = paid[0];
    if (!payer) v('a succeeded withdrawal was paid', 'succeeded, yet no provider paid it');
    else {
      if (rec.provider !== payer.provider) v("a succeeded record names its payer's provider", `record says ${rec.provider}, paid by ${payer.provider}`);
      if (rec.providerRef !== null && rec.providerRef !== payer.ref) v("a succeeded record carries its payer's reference", `record says ${rec.providerRef}, paid as ${payer.ref}`);
    }
  }
  if (NOTHING_PAID.includes(rec.status) && paid.length > 0) v(`nothing is paid for a ${rec.status} withdrawal`, `${rec.status}, yet paid: ${refs}`);
  const left = rec.history.findIndex((e, i) => FINAL.includes(e.status) && i < rec.history.length - 1);
  if (left >= 0) v('a final status is never left', `${rec.history[left]?.status} at entry ${left} was followed by ${rec.history[left + 1]?.status}`);
  if (!AT_REST.includes(rec.status)) v('everything accepted comes to rest (terminal or needs_review) after the drain', `still ${rec.status}`);
  const expected = `${rec.provider}:${rec.status}`;
  if (indexedIn.length !== 1 || indexedIn[0] !== expected) {
    v('the status index agrees with the record', `record is ${expected}; indexed in ${indexedIn.join(', ') || 'no set'}`);
  }
  return out;
}

/**
 * A Lightning Address withdrawal: one invoice is stored, once, and never replaced, and no provider is
 * ever asked to pay another. A job that finds the invoice stored pays it without asking the server
 * (late callbacks come only from a job that read the withdrawal before its invoice was stored: two
 * jobs of one withdrawal at once; the invoice such a callback mints is never stored nor paid).
 */
function checkResolution(rec: WithdrawalRecord, late: LateCallback[], sent: Payment[]): Violation[] {
  const out: Violation[] = [];
  const v = (invariant: string, detail: string) => out.push({ invariant, withdrawalId: rec.id, detail });
  const stored = rec.history.filter((e) => e.cause?.startsWith('Lightning Address resolved'));
  if (stored.length > 1) v('a Lightning Address withdrawal stores one invoice, once', `${stored.length} invoices stored`);
  const replaced = late.filter((l) => l.stored !== rec.invoice);
  if (replaced.length > 0) v('a stored invoice is never replaced', `${replaced[0]?.stored} was stored, the record now holds ${rec.invoice ?? 'none'}`);
  const other = sent.filter((t) => t.paymentHash !== rec.paymentHash);
  if (other.length > 0) v('only the stored invoice is ever sent', `stored ${rec.paymentHash ?? 'none'}; sent ${other.map((t) => t.paymentHash).join(', ')}`);
  return out;
}

/** The status indexes (provider:status) an id is in: once per stream entry of a final status's index. */
async function indexOf(sys: System, id: string): Promise<string[]> {
  const pipeline = sys.redis.pipeline();
  const names: string[] = [];
  for (const p of PROVIDERS)
    for (const s of STATUSES) {
      names.push(`${p}:${s}`);
      if (isFinal(s)) pipeline.xrange(sys.keys.statusSet(p, s), '-', '+');
      else pipeline.zscore(sys.keys.statusSet(p, s), id);
    }
  const res = (await pipeline.exec()) ?? [];
  return names.flatMap((name, i) => {
    const r = res[i]?.[1];
    if (Array.isArray(r)) return idsOfEntries(r as [string, string[]][]).filter((x) => x === id).map(() => name);
    return r !== null && r !== undefined ? [name] : [];
  });
}

/** Every invariant over the run's end state. */
export async function findViolations(sys: System): Promise<{ violations: Violation[]; records: Map<string, WithdrawalRecord> }> {
  const violations: Violation[] = [];
  const records = new Map<string, WithdrawalRecord>();
  const byHash = new Map<string, Payment[]>();
  for (const tx of sys.world.payments) if (tx.status === 'paid') byHash.set(tx.paymentHash, [...(byHash.get(tx.paymentHash) ?? []), tx]);
  for (const [hash, txs] of byHash) {
    if (txs.length > 1) violations.push({ invariant: 'at most one payment per invoice', withdrawalId: txs[0]?.withdrawalId ?? null, detail: `${hash} paid ${txs.length} times` });
  }
  for (const c of sys.created) {
    const rec = await sys.store.get(c.id);
    if (!rec) {
      violations.push({ invariant: 'nothing accepted is lost', withdrawalId: c.id, detail: 'the record is gone' });
      continue;
    }
    records.set(c.id, rec);
    const paid = sys.world.payments.filter((t) => t.withdrawalId === c.id && t.status === 'paid');
    violations.push(...checkWithdrawal(rec, paid, await indexOf(sys, c.id)));
    if (c.lnurl) violations.push(...checkResolution(rec, sys.lnurl.late.filter((l) => l.withdrawalId === c.id), sys.world.payments.filter((t) => t.withdrawalId === c.id)));
  }
  for (const owner of sys.owners) {
    const mine = sys.created.filter((c) => c.owner === owner);
    const kept = mine.filter((c) => !GIVEN_BACK.includes(records.get(c.id)?.status ?? 'queued'));
    const amount = kept.reduce((sum, c) => sum + c.amountMsat, 0n);
    const used = await sys.store.dailyUsage(owner, sys.day);
    if (used.amountMsat !== amount || used.count !== kept.length) {
      violations.push({
        invariant: "the daily budget is what was accepted minus what was given back",
        withdrawalId: null,
        detail: `${owner}: budget holds ${used.amountMsat} msat in ${used.count}; expected ${amount} msat in ${kept.length}`,
      });
    }
  }
  return { violations, records };
}

/** A readable account of a failed run: the violations, each withdrawal's history and payments, the journal. */
export function report(sys: System, violations: Violation[], records: Map<string, WithdrawalRecord>): string {
  const lines: string[] = ['money invariants violated:'];
  for (const v of violations) lines.push(`  - ${v.invariant}${v.withdrawalId ? ` [${v.withdrawalId}]` : ''}: ${v.detail}`);
  const ids = new Set(violations.map((v) => v.withdrawalId).filter((id): id is string => id !== null));
  for (const id of ids) {
    const rec = records.get(id);
    lines.push(`withdrawal ${id}: ${rec?.status ?? 'missing'} at ${rec?.provider ?? '?'} (ref ${rec?.providerRef ?? 'none'})`);
    for (const e of rec?.history ?? []) lines.push(`    ${e.at.slice(11, 23)} ${e.status.padEnd(17)} ${e.cause ?? ''}${e.actor ? ` (${e.actor})` : ''}`);
    for (const t of sys.world.payments.filter((p) => p.withdrawalId === id)) lines.push(`    ledger: ${t.provider} ${t.ref} ${t.status}`);
  }
  lines.push('journal:');
  for (const j of sys.journal) lines.push(`    ${j}`);
  return lines.join('\n');
}
