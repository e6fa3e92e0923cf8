/** The status words of a withdrawal and the transitions allowed between them. */

export const STATUSES = [
  'queued',
  'submitting',
  'submitted',
  'unknown',
  'succeeded',
  'failed',
  'needs_review',
  'cancelled',
  'awaiting_approval',
] as const;

export type Status = (typeof STATUSES)[number];

/** Statuses no worker will move on its own (`needs_review` waits for an operator). */
export const TERMINAL_STATUSES: readonly Status[] = ['succeeded', 'failed', 'needs_review', 'cancelled'];

export function isTerminal(status: Status): boolean {
  return TERMINAL_STATUSES.includes(status);
}

/**
 * Every allowed edge of the state machine. Anything else is refused by the store.
 * `submitting -> queued` exists only for outcomes proven "not sent".
 */
export const TRANSITIONS: Readonly<Record<Status, readonly Status[]>> = {
  queued: ['submitting', 'cancelled'],
  submitting: ['submitted', 'failed', 'queued', 'unknown', 'succeeded'],
  submitted: ['succeeded', 'failed', 'needs_review'],
  unknown: ['succeeded', 'failed', 'needs_review'],
  succeeded: [],
  failed: [],
  needs_review: ['succeeded', 'failed', 'queued'],
  cancelled: [],
  // Held until enough operators approve it (then queued), or cancelled (by someone, or as expired).
  awaiting_approval: ['queued', 'cancelled'],
};

export function canTransition(from: Status, to: Status): boolean {
  return TRANSITIONS[from].includes(to);
}
