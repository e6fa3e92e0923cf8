import type { BatchSummary } from '../withdrawals/batches.ts';
import { STATUSES } from '../withdrawals/status.ts';

export interface DemoReport {
  summary: BatchSummary;
  seconds: number;
  enqueueSeconds: number;
  /** The sandbox ledger (demo only; `withdrawals batch` has no ledger to read). */
  payments?: number;
  duplicatePayments?: string[];
  rejected: number;
}

function sats(msat: string): string {
  const v = BigInt(msat);
  return `${v / 1000n}${v % 1000n === 0n ? '' : `.${(v % 1000n).toString().padStart(3, '0')}`}`;
}

/** The settlement report printed at the end of `withdrawals demo` (and `withdrawals batch`). */
export function formatReport(r: DemoReport): string {
  const rows: string[] = [];
  rows.push(`batch ${r.summary.batchId}: ${r.summary.total} payouts${r.rejected ? `, ${r.rejected} refused at enqueue` : ''}`);
  rows.push('');
  rows.push(`${'status'.padEnd(14)}${'count'.padStart(8)}${'amount (sat)'.padStart(18)}`);
  for (const s of STATUSES) {
    const n = r.summary.byStatus[s];
    if (!n) continue;
    rows.push(`${s.padEnd(14)}${String(n).padStart(8)}${sats(r.summary.amountMsatByStatus[s] ?? '0').padStart(18)}`);
  }
  rows.push('');
  rows.push(`all terminal: ${r.summary.done ? 'yes' : 'NO'}`);
  rows.push(`time: ${r.seconds.toFixed(1)} s (enqueue ${r.enqueueSeconds.toFixed(2)} s), ${(r.summary.total / r.seconds).toFixed(1)} payouts/s settled`);
  if (r.payments !== undefined) rows.push(`provider ledger: ${r.payments} payments made, ${r.duplicatePayments?.length ?? 0} invoices paid twice`);
  return rows.join('\n');
}
