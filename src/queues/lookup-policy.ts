/**
 * The one retry policy of status lookups, in one place. Three layers, each for its own reason:
 *
 * 1. **In the request** (`src/providers/http/get-retry.ts`): a status GET that fails in transport
 *    (connection refused or reset, DNS) is sent once more after 200 ms. GETs are idempotent; an HTTP
 *    answer, 5xx included, is never retried here. Submits never get this (invariant 3).
 * 2. **The settle job's polling** (`settleDecision`): a withdrawal that is not settled yet is checked
 *    again on a schedule that starts early and backs off: the first check SETTLE_POLL_MS after the
 *    submit (at once when the provider already answered success and only a confirming lookup is
 *    missing), each later wait SETTLE_BACKOFF times the one before, capped at SETTLE_POLL_MAX_MS,
 *    never sooner than the provider's Retry-After. Checks are due at fixed times from the settle
 *    job's creation (`settleCheckAt`), so time spent in lookups and queues does not push them later.
 *    It goes on until the record's reconciliation deadline (the invoice's expiry +
 *    RECONCILE_GRACE_MS), then `needs_review`. A check that waits is a delayed job, not an attempt.
 * 3. **The job's attempts** (`SETTLE_JOB_RETRY`): only a check that throws (Redis unreachable, a
 *    provider client missing from this process) is retried by BullMQ, backing off from 1 s; the
 *    attempts are many because the deadline, not the count, ends reconciliation.
 *
 * Worst case for one check: 2 transport tries of PROVIDER_TIMEOUT_MS each, plus 200 ms.
 *
 * With the defaults (200 ms, 5 min) checks are due 0.2, 0.67, 1.75, 4.3, 10.2, 24, 56 and 130 s
 * after the submit, then every 5 minutes: a payment the provider settles at submit or within a
 * few seconds ends a fraction of a second after it does, and one that takes a minute costs 8
 * lookups. The factor puts checks just after 1.5 s and 10 s, common settle times of a Lightning
 * payment that does not settle at once.
 */

/** Each wait between two status checks is this many times the one before, up to SETTLE_POLL_MAX_MS. */
export const SETTLE_BACKOFF = 2.33;

/** Waits past this many checks are all capped, whatever the settings (2.33^60 > 10^22). */
const UNCAPPED_CHECKS = 60;

/**
 * Wait before check number `checks` (0-based) after the check before it (for check 0: after the
 * submit): SETTLE_POLL_MS growing by SETTLE_BACKOFF per check, capped at SETTLE_POLL_MAX_MS.
 */
export function settleDelay(checks: number, pollMs: number, pollMaxMs: number): number {
  return Math.min(Math.round(pollMs * SETTLE_BACKOFF ** Math.min(checks, UNCAPPED_CHECKS)), pollMaxMs);
}

/** When check number `checks` (0-based) is due, in ms after the settle job was created: the sum of the waits up to it. */
export function settleCheckAt(checks: number, pollMs: number, pollMaxMs: number): number {
  let at = 0;
  for (let k = 0; k <= Math.min(checks, UNCAPPED_CHECKS); k++) at += settleDelay(k, pollMs, pollMaxMs);
  return at + Math.max(0, checks - UNCAPPED_CHECKS) * pollMaxMs;
}

/**
 * Wait before check number `checks` (1 or more) when the one before it just ended at `nowMs`: until
 * the check is due on the schedule of a settle job created at `startedMs`, but never less than half
 * its own wait (a job that fell behind does not fire a burst of lookups) nor more than twice it (a
 * clock that disagrees does not stretch the schedule). With no start known, its own wait.
 */
export function nextCheckDelay(checks: number, nowMs: number, startedMs: number | undefined, pollMs: number, pollMaxMs: number): number {
  const wait = settleDelay(checks, pollMs, pollMaxMs);
  if (startedMs === undefined) return wait;
  const due = startedMs + settleCheckAt(checks, pollMs, pollMaxMs) - nowMs;
  return Math.min(Math.max(due, Math.ceil(wait / 2)), wait * 2);
}

/** BullMQ's attempts and backoff for a settle check that throws (layer 3 above). */
export const SETTLE_JOB_RETRY = { attempts: 1000, backoff: { type: 'exponential', delay: 1000 } } as const;
