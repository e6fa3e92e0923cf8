import { FINAL_STATUSES } from './withdrawals/status.ts';

/**
 * Every Redis key the project writes. All of them share one hash tag, `{prefix}`, so each Lua
 * script (and BullMQ's own scripts, which use the same prefix) touches a single Redis Cluster slot.
 */
export interface Keys {
  /** BullMQ's `prefix` option: queues live under `{prefix}:<queue>:...`. */
  readonly bullPrefix: string;
  record(id: string): string;
  history(id: string): string;
  /**
   * The payment-hash index: hashes (field: paymentHashField) of a 4,096th of the hashes, by their
   * first three hex digits, each to the id of the withdrawal that holds it (~90 bytes each at 100,000
   * hashes, against ~170 for a key of its own).
   */
  paymentHash(hash: string): string;
  /** A payment hash's field in its paymentHash hash. */
  paymentHashField(hash: string): string;
  /** The string key (to the id) a payment hash was indexed in before the hashes: still read, never written. */
  legacyPaymentHash(hash: string): string;
  /**
   * The status index of one provider and status: a zset of ids scored by when each entered it, or,
   * for a final status (nothing leaves it), a stream of entries `i`: id, in the order they entered.
   */
  statusSet(provider: string, status: string): string;
  /** The zset a final status was indexed in before its stream: still read, never written. */
  legacyFinalSet(provider: string, status: string): string;
  /** Stream of every owner's events in order, each a slim entry (type, ts, owner, subject): operators and the webhook fan-out read it. */
  events: string;
  /** Stream of one owner's events (the same ids, with their data): that producer's pages read it alone. */
  ownerEvents(owner: string): string;
  batch(id: string): string;
  batchItems(id: string): string;
  batches: string;
  /** Hash `{ amount, count }`: what one producer had accepted on one UTC day (YYYY-MM-DD). */
  dailyBudget(owner: string, day: string): string;
  /** Stream of one owner's withdrawals, entries `i`: id, in the order they were created: its listing, newest last. */
  ownerListing(owner: string): string;
  /** The same for every owner's withdrawals (an operator's listing). */
  listing: string;
  /** The zsets (scores 0, members `<created ms, 16 digits>:<id>`) the listings were before their streams: still read after them, never written. */
  legacyOwnerListing(owner: string): string;
  legacyListing: string;
  /** Set of the operators who approved one withdrawal. */
  approvals(id: string): string;
  /** When a Lightning Address withdrawal's resolution was first tried (Unix ms): its deadline runs from it. */
  resolveStart(id: string): string;
  /** On-chain addresses with a withdrawal not final yet, to its id. */
  openAddresses: string;
  /** A key in the same slot that is never written, for scripts whose optional key is absent. */
  none: string;
  meta(name: string): string;
  /** Hash: webhook endpoint id -> endpoint JSON (secret included). */
  webhookEndpoints: string;
  /** Stream id of the last event the webhook fan-out handled. */
  webhookCursor: string;
  /** Lease of the one process that runs the webhook fan-out. */
  webhookLock: string;
  /** Zset of non-empty delivery lanes, scored by when their head last changed (for the lane repair). */
  webhookLanes: string;
  /** Hash: endpoint id -> live deliveries waiting in its lanes (WEBHOOK_MAX_WAITING_PER_ENDPOINT). */
  webhookWaiting: string;
  /** Zset (all scores 0, so ordered by event id) of the events pending for one endpoint and withdrawal. */
  webhookLane(laneId: string): string;
  /** Zset of the deliveries in flight to one owner's endpoints (job id -> lease end, ms). */
  webhookBusy(owner: string): string;
  /** Zset of one endpoint's replays still being delivered (replay id -> lease end, ms). */
  webhookReplays(endpointId: string): string;
}

/** Statuses nothing ever leaves: their indexes only grow, as streams. */
const FINAL: ReadonlySet<string> = new Set(FINAL_STATUSES);

export function createKeys(prefix: string): Keys {
  const p = `{${prefix}}`;
  return {
    bullPrefix: p,
    record: (id) => `${p}:w:${id}`,
    history: (id) => `${p}:h:${id}`,
    paymentHash: (hash) => `${p}:phs:${hash.slice(0, 3)}`,
    paymentHashField: (hash) => hash.slice(3),
    legacyPaymentHash: (hash) => `${p}:ph:${hash}`,
    statusSet: (provider, status) => `${p}:${FINAL.has(status) ? 'sf' : 'st'}:${provider}:${status}`,
    legacyFinalSet: (provider, status) => `${p}:st:${provider}:${status}`,
    events: `${p}:events`,
    // view.lua's add_event names it alike: `<events>:<owner>`.
    ownerEvents: (owner) => `${p}:events:${owner}`,
    batch: (id) => `${p}:b:${id}`,
    batchItems: (id) => `${p}:bi:${id}`,
    batches: `${p}:batches`,
    dailyBudget: (owner, day) => `${p}:day:${owner}:${day}`,
    approvals: (id) => `${p}:ap:${id}`,
    ownerListing: (owner) => `${p}:lx:${owner}`,
    listing: `${p}:lx-all`,
    legacyOwnerListing: (owner) => `${p}:ls:${owner}`,
    legacyListing: `${p}:ls-all`,
    resolveStart: (id) => `${p}:rs:${id}`,
    openAddresses: `${p}:open-addresses`,
    none: `${p}:none`,
    meta: (name) => `${p}:meta:${name}`,
    webhookEndpoints: `${p}:wh:endpoints`,
    webhookCursor: `${p}:wh:cursor`,
    webhookLock: `${p}:wh:lock`,
    webhookLanes: `${p}:wh:lanes`,
    webhookWaiting: `${p}:wh:waiting`,
    webhookLane: (laneId) => `${p}:wh:lane:${laneId}`,
    webhookBusy: (owner) => `${p}:wh:busy:${owner}`,
    webhookReplays: (endpointId) => `${p}:wh:replays:${endpointId}`,
  };
}
