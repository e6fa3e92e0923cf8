import type { LnurlServer } from '../providers/sandbox/index.ts';
import type { WithdrawalStore } from '../withdrawals/store.ts';

/**
 * Lightning Addresses in the demo: every tenth payout (the sixth of each ten) goes to an address on
 * the sandbox's LNURL-pay server instead of an invoice, and the first of them to an account whose
 * server refuses to give an invoice, so the report shows one resolved before payment and one that
 * failed with nothing sent.
 */

/** The account that misbehaves: its server answers `{"status":"ERROR"}`. */
export const MISBEHAVING_ACCOUNT = 'refuse';

/** Turns every tenth item (not the last `keep`) into a Lightning Address payout of the same amount; returns their ids. */
export function addLightningAddresses(items: Record<string, string>[], lnurl: LnurlServer, keep = 2): string[] {
  const ids: string[] = [];
  for (let i = 5; i < items.length - keep; i += 10) {
    const item = items[i];
    if (!item?.id || !item.amountMsat) continue;
    const account = ids.length === 0 ? MISBEHAVING_ACCOUNT : `payee-${i}`;
    items[i] = { id: item.id, provider: item.provider ?? 'auto', lightningAddress: lnurl.address(account), amountMsat: item.amountMsat, description: `${item.description ?? item.id}, to a Lightning Address` };
    ids.push(item.id);
  }
  return ids;
}

export interface LightningAddressReport {
  total: number;
  byStatus: Record<string, number>;
  /** Failure codes of those that failed, with their counts. */
  failures: Record<string, number>;
  /** The ids of the payouts to the misbehaving account, with their status and failure code. */
  misbehaving: { id: string; status: string; failure: string | null }[];
}

export async function lightningAddressReport(store: WithdrawalStore, ids: readonly string[]): Promise<LightningAddressReport> {
  const records = await store.listRecords(ids);
  const report: LightningAddressReport = { total: records.length, byStatus: {}, failures: {}, misbehaving: [] };
  for (const r of records) {
    report.byStatus[r.status] = (report.byStatus[r.status] ?? 0) + 1;
    if (r.failure) report.failures[r.failure.code] = (report.failures[r.failure.code] ?? 0) + 1;
    if (r.lightningAddress?.startsWith(`${MISBEHAVING_ACCOUNT}@`)) report.misbehaving.push({ id: r.id, status: r.status, failure: r.failure?.code ?? null });
  }
  return report;
}

export function formatLightningAddresses(r: LightningAddressReport): string[] {
  if (r.total === 0) return [];
  const statuses = Object.entries(r.byStatus).map(([s, n]) => `${s} ${n}`).join(', ');
  const failures = Object.entries(r.failures).map(([c, n]) => `${c} ${n}`).join(', ');
  const lines = [`lightning addresses: ${r.total} payouts resolved by the worker (${statuses})${failures ? `; failures: ${failures}` : ''}`];
  for (const m of r.misbehaving) lines.push(`lightning address: ${m.id} to a server that refuses, now ${m.status}${m.failure ? ` (${m.failure}, nothing sent)` : ''}`);
  return lines;
}
