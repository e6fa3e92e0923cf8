/** The status words of a withdrawal and the one table of transitions allowed between them. */

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

/** Statuses nothing ever leaves. */
export const FINAL_STATUSES: readonly Status[] = ['succeeded', 'failed', 'cancelled'];

export function isTerminal(status: Status): boolean {
  return TERMINAL_STATUSES.includes(status);
}

export function isFinal(status: Status): boolean {
  return FINAL_STATUSES.includes(status);
}

/** One allowed edge of the state machine, with why it is taken. */
export interface Edge {
  from: Status;
  to: Status;
  why: string;
}

/**
 * Every allowed edge, defined once: the store's transition script is generated from it and refuses
 * any other, whatever its caller passes; docs/architecture.md's diagram is generated from it too.
 */
export const EDGES: readonly Edge[] = [
  { from: 'awaiting_approval', to: 'queued', why: 'the last approval needed' },
  { from: 'awaiting_approval', to: 'cancelled', why: 'cancelled, or its invoice expires first' },
  { from: 'queued', to: 'submitting', why: 'fenced by a submit of its provider, approvals complete' },
  { from: 'queued', to: 'cancelled', why: 'cancelled before any attempt' },
  { from: 'queued', to: 'failed', why: 'its Lightning Address did not resolve: nothing sent' },
  { from: 'submitting', to: 'submitted', why: 'the provider accepted it' },
  { from: 'submitting', to: 'succeeded', why: 'the provider settles at submit' },
  { from: 'submitting', to: 'failed', why: 'a refusal no lookup contradicts' },
  { from: 'submitting', to: 'queued', why: 'proven not sent; or failover to the next provider' },
  { from: 'submitting', to: 'unknown', why: 'the outcome is unknown' },
  { from: 'submitted', to: 'succeeded', why: 'the provider says paid' },
  { from: 'submitted', to: 'failed', why: 'the provider says failed' },
  { from: 'submitted', to: 'needs_review', why: 'reconciliation budget spent' },
  { from: 'unknown', to: 'succeeded', why: 'a lookup finds it paid' },
  { from: 'unknown', to: 'failed', why: 'a lookup finds it failed' },
  { from: 'unknown', to: 'needs_review', why: 'reconciliation budget spent' },
  { from: 'needs_review', to: 'succeeded', why: 'an operator resolves it' },
  { from: 'needs_review', to: 'failed', why: 'an operator resolves it' },
  { from: 'needs_review', to: 'queued', why: 'an operator resubmits it: a clean new round' },
];

/** The edges as a lookup table: the targets allowed from each status. */
export const TRANSITIONS: Readonly<Record<Status, readonly Status[]>> = Object.fromEntries(
  STATUSES.map((s) => [s, EDGES.filter((e) => e.from === s).map((e) => e.to)]),
) as unknown as Record<Status, readonly Status[]>;

export function canTransition(from: Status, to: Status): boolean {
  return TRANSITIONS[from].includes(to);
}

/** The table as Lua source (`local ALLOWED = { from = { to = true, ... }, ... }`), prepended to the transition script. */
export function luaTransitionTable(): string {
  const rows = STATUSES.map((s) => `  ${s} = { ${TRANSITIONS[s].map((t) => `${t} = true`).join(', ')} },`);
  return `local ALLOWED = {\n${rows.join('\n')}\n}\n`;
}
