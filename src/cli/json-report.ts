import type { LightningAddressReport } from '../demo/lightning-addresses.ts';
import type { ShowcaseReport } from '../demo/policy-showcase.ts';
import type { BatchAnswer, BatchSummary } from '../withdrawals/batches.ts';

/** The sandbox ledger's word on a demo batch. */
export interface LedgerCheck {
  /** Payments the sandbox providers made. */
  payments: number;
  /** Payment hashes paid more than once. */
  paidTwice: string[];
  /** Records that disagree with the ledger (a `succeeded` one not paid exactly once, a `failed` one paid). */
  disagreements: string[];
}

export interface JsonReportInput {
  answer: BatchAnswer;
  /** Null when the command did not wait for settlement (`--no-wait`) or saw no progress before it stopped. */
  summary: BatchSummary | null;
  seconds: number;
  enqueueSeconds: number;
  interrupted: boolean;
  ledger?: LedgerCheck;
  /** The demo's approval and failover payouts. */
  policy?: ShowcaseReport;
  /** The demo's Lightning Address payouts. */
  lightningAddresses?: LightningAddressReport;
}

/**
 * The report of `withdrawals batch --json` and `withdrawals demo --json`: one JSON document, amounts
 * as strings of millisatoshi (exact beyond 2^53), durations in seconds.
 */
export function jsonReport(r: JsonReportInput): string {
  const { answer, summary } = r;
  return JSON.stringify({
    batchId: answer.batchId,
    accepted: answer.accepted,
    duplicates: answer.duplicates,
    refused: answer.rejected.length,
    rejected: answer.rejected,
    total: summary?.total ?? null,
    byStatus: summary?.byStatus ?? null,
    amountMsatByStatus: summary?.amountMsatByStatus ?? null,
    done: summary?.done ?? false,
    seconds: round(r.seconds),
    enqueueSeconds: round(r.enqueueSeconds),
    interrupted: r.interrupted,
    ...(r.policy ? { policy: r.policy } : {}),
    ...(r.lightningAddresses ? { lightningAddresses: r.lightningAddresses } : {}),
    ...(r.ledger ? { ledger: { ...r.ledger, agrees: r.ledger.paidTwice.length === 0 && r.ledger.disagreements.length === 0 } } : {}),
  });
}

const round = (s: number): number => Math.round(s * 1000) / 1000;
