/**
 * The one retry policy of status lookups, in one place. Three layers, each for its own reason:
 *
 * 1. **In the request** (`src/providers/http/get-retry.ts`): a status GET that fails in transport
 *    (connection refused or reset, DNS) is sent once more after 200 ms. GETs are idempotent; an HTTP
 *    answer, 5xx included, is never retried here. Submits never get this (invariant 3).
 * 2. **The settle job's polling** (`settleDecision`): a withdrawal that is not settled yet is checked
 *    again after `settleDelay(checks)`: SETTLE_POLL_MS doubling per check, capped at
 *    SETTLE_POLL_MAX_MS, never sooner than the provider's Retry-After; it goes on until the record's
 *    reconciliation deadline (the invoice's expiry + RECONCILE_GRACE_MS), then `needs_review`. A
 *    check that waits is a delayed job, not an attempt.
 * 3. **The job's attempts** (`SETTLE_JOB_RETRY`): only a check that throws (Redis unreachable, a
 *    provider client missing from this process) is retried by BullMQ, backing off from 1 s; the
 *    attempts are many because the deadline, not the count, ends reconciliation.
 *
 * Worst case for one check: 2 transport tries of PROVIDER_TIMEOUT_MS each, plus 200 ms.
 */

/** Delay before check number `checks` (0-based): SETTLE_POLL_MS doubling, capped at SETTLE_POLL_MAX_MS. */
export function settleDelay(checks: number, pollMs: number, pollMaxMs: number): number {
  return Math.min(pollMs * 2 ** Math.min(checks, 30), pollMaxMs);
}

/** BullMQ's attempts and backoff for a settle check that throws (layer 3 above). */
export const SETTLE_JOB_RETRY = { attempts: 1000, backoff: { type: 'exponential', delay: 1000 } } as const;
