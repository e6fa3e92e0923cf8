import { isFinal, type Status } from '../../withdrawals/status.ts';
import type { WithdrawalStore } from '../../withdrawals/store.ts';
import type { ProviderName, WithdrawalRecord } from '../../withdrawals/types.ts';

/** What an operator must look at first, then work in flight, then the settled past. */
export const STATUS_ORDER: readonly Status[] = [
  'awaiting_approval',
  'unknown',
  'needs_review',
  'submitting',
  'submitted',
  'queued',
  'failed',
  'succeeded',
  'cancelled',
];

/** A row of the list: the record, and for one awaiting approval the operators who approved it so far. */
export type ListedWithdrawal = WithdrawalRecord & { approvedBy?: string[] };

export interface StatusSection {
  status: Status;
  /** Withdrawals now in this status, over the providers shown. */
  total: number;
  /** At most `limit` of them: the oldest first while in flight, the newest first once settled. */
  rows: ListedWithdrawal[];
}

export interface ListQuery {
  statuses: readonly Status[];
  providers: readonly ProviderName[];
  limit: number;
}

function idsFor(store: WithdrawalStore, provider: ProviderName, status: Status, limit: number): Promise<string[]> {
  return isFinal(status) ? store.newestIn(provider, status, limit) : store.idsInStatus(provider, status, limit, 0);
}

/** Reads the sections of the list page from the status indexes (no scan of the keyspace). */
export async function readSections(store: WithdrawalStore, q: ListQuery): Promise<StatusSection[]> {
  const counts = await store.countByStatus(q.providers);
  return Promise.all(
    q.statuses.map(async (status): Promise<StatusSection> => {
      const perProvider = await Promise.all(
        q.providers.map(async (p) => {
          const ids = await idsFor(store, p, status, q.limit);
          const records = await store.listRecords(ids);
          if (status !== 'awaiting_approval') return records;
          return Promise.all(records.map(async (r): Promise<ListedWithdrawal> => ({ ...r, approvedBy: await store.approvers(r.id) })));
        }),
      );
      const newestFirst = isFinal(status);
      const rows = perProvider
        .flat()
        .sort((a, b) => (newestFirst ? b.updatedAt.localeCompare(a.updatedAt) : a.updatedAt.localeCompare(b.updatedAt)))
        .slice(0, q.limit);
      const total = q.providers.reduce((n, p) => n + (counts[p]?.[status] ?? 0), 0);
      return { status, total, rows };
    }),
  );
}
