import { scriptLayout } from './script-layout.ts';

/** create.lua: any number of withdrawals, each with these keys and arguments. */
export const CREATE = scriptLayout(
  'create.lua',
  ['record', 'history', 'paymentHash', 'legacyPaymentHash', 'statusSet', 'events', 'batch', 'batchItems', 'dailyBudget', 'openAddresses', 'ownerListing', 'listing'],
  ['bodyHash', 'nowIso', 'nowMs', 'fields', 'entry', 'eventsMaxLen', 'paymentHashField', 'batchId', 'amountMsat', 'firstStatus', 'dailyAmountLimit', 'dailyCountLimit', 'dailyCreatedQuota', 'eventsMaxBytes'],
  { perItem: true },
);

/** transition.lua: one withdrawal's compare-and-set of its status. */
export const TRANSITION = scriptLayout(
  'transition.lua',
  ['record', 'history', 'events', 'batch', 'fromSet', 'toSet', 'approvals', 'openAddresses'],
  ['from', 'to', 'fence', 'nowIso', 'nowMs', 'updates', 'entry', 'eventsMaxLen', 'newFence', 'countAttempt', 'newRound', 'provider', 'strictProvider', 'batchId', 'historyRetentionMs', 'eventsMaxBytes', 'round'],
);

/** approve.lua: one operator's approval of a held withdrawal. */
export const APPROVE = scriptLayout(
  'approve.lua',
  ['record', 'history', 'events', 'approvals', 'batch', 'awaitingSet', 'queuedSet'],
  ['operator', 'note', 'nowIso', 'nowMs', 'approvalsRequired', 'eventsMaxLen', 'eventsMaxBytes'],
);

/** claim-batch.lua: the first producer to use a batch id owns it. */
export const CLAIM_BATCH = scriptLayout('claim-batch.lua', ['batch'], ['owner']);

/** seal-batch.lua: no more items join the batch. */
export const SEAL_BATCH = scriptLayout('seal-batch.lua', ['batch', 'events'], ['batchId', 'nowIso', 'eventsMaxLen', 'createdAt', 'eventsMaxBytes']);

/** resolve.lua: a Lightning Address withdrawal's invoice, stored once with its payment-hash claim. */
export const RESOLVE = scriptLayout(
  'resolve.lua',
  ['record', 'history', 'paymentHash', 'legacyPaymentHash'],
  ['id', 'invoice', 'paymentHash', 'paymentHashField', 'expiresAt', 'descriptionHashMatches', 'nowIso', 'entry', 'reconcileDeadline'],
);

export const SCRIPT_LAYOUTS = [CREATE, TRANSITION, APPROVE, CLAIM_BATCH, SEAL_BATCH, RESOLVE] as const;
