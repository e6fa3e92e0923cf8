/**
 * The money check every resilience suite ends with: the withdrawal records against the sandbox
 * ledger (what the fake providers actually paid). It lists every problem instead of stopping at
 * the first, so a failing run says everything that went wrong.
 */
import type { Sandbox } from '../../src/providers/sandbox/index.ts';
import { isTerminal } from '../../src/withdrawals/status.ts';
import type { WithdrawalStore } from '../../src/withdrawals/store.ts';

export interface Audit {
  problems: string[];
  byStatus: Record<string, number>;
  /** `queued -> submitting` entries over all records: provider calls the workers were allowed to make. */
  fencedAttempts: number;
  /** Submit requests the sandbox received. Each fenced attempt makes at most one. */
  submitRequests: number;
  /** Records whose attempt was declared lost with a crashed worker. */
  workerLost: number;
  payments: number;
}

const SUBMIT_ROUTES = { aurpay: 'POST /api/bln/withdraw', turinpay: 'POST /withdrawals' } as const;

export function submitRequests(sandbox: Sandbox): number {
  const counts = sandbox.requestCounts();
  let n = 0;
  for (const provider of ['aurpay', 'turinpay'] as const) {
    for (const c of Object.values(counts[provider][SUBMIT_ROUTES[provider]] ?? {})) n += c;
  }
  return n;
}

/** Every id must have a terminal record, and each record must agree with the ledger. */
export async function audit(store: WithdrawalStore, sandbox: Sandbox, hashes: Map<string, string>): Promise<Audit> {
  const problems: string[] = [];
  const byStatus: Record<string, number> = {};
  let fencedAttempts = 0;
  let workerLost = 0;
  const ids = [...hashes.keys()];
  const records = [];
  for (let i = 0; i < ids.length; i += 100) {
    records.push(...(await Promise.all(ids.slice(i, i + 100).map((id) => store.get(id)))));
  }
  records.forEach((rec, i) => {
    const id = ids[i] ?? '';
    const hash = hashes.get(id) ?? '';
    if (!rec) {
      problems.push(`${id}: accepted but has no record (lost)`);
      return;
    }
    byStatus[rec.status] = (byStatus[rec.status] ?? 0) + 1;
    const paid = sandbox.ledger.paymentsFor(hash).length;
    const submits = rec.history.filter((h) => h.status === 'submitting').length;
    fencedAttempts += submits;
    if (rec.history.some((h) => /worker lost/.test(h.cause ?? ''))) workerLost++;
    if (rec.attempts !== submits) problems.push(`${id}: attempts ${rec.attempts} but ${submits} submitting entries`);
    if (!isTerminal(rec.status)) problems.push(`${id}: still ${rec.status}`);
    if (rec.status === 'succeeded' && paid !== 1) problems.push(`${id}: succeeded but paid ${paid} times`);
    if ((rec.status === 'failed' || rec.status === 'cancelled') && paid !== 0) problems.push(`${id}: ${rec.status} but paid ${paid} times`);
    if (rec.status === 'needs_review' && paid > 1) problems.push(`${id}: needs_review and paid ${paid} times`);
    // A second attempt is allowed only after a proven "not sent" (submitting -> queued).
    rec.history.forEach((h, k) => {
      if (h.status === 'submitting' && k > 1 && rec.history[k - 1]?.status !== 'queued') {
        problems.push(`${id}: submitting after ${rec.history[k - 1]?.status}`);
      }
      if (h.status === 'submitting' && k > 1 && rec.history[k - 2]?.status !== 'submitting') {
        problems.push(`${id}: resubmitted without a not-sent outcome first`);
      }
    });
  });
  for (const hash of sandbox.ledger.duplicates()) problems.push(`invoice ${hash} paid more than once`);
  const known = new Set(hashes.values());
  for (const p of sandbox.ledger.payments()) if (!known.has(p.paymentHash)) problems.push(`payment for an unknown invoice ${p.paymentHash}`);
  const requests = submitRequests(sandbox);
  if (requests > fencedAttempts) problems.push(`${requests} submit requests reached the providers for ${fencedAttempts} fenced attempts`);
  return { problems, byStatus, fencedAttempts, submitRequests: requests, workerLost, payments: sandbox.ledger.payments().length };
}
