import { readEvents, type EventPage } from '../events/reader.ts';
import type { Keys } from '../keys.ts';
import type { RedisClient, RedisLiveness } from '../redis.ts';
import { defineScripts } from './scripts.ts';
import { createApprovals } from './store/approvals.ts';
import { createBatches } from './store/batches.ts';
import type { StoreContext } from './store/context.ts';
import { createCreates } from './store/create.ts';
import { createListing } from './store/listing.ts';
import { createRecords } from './store/records.ts';
import { createResolves } from './store/resolve.ts';
import { createStatusSets } from './store/status-sets.ts';
import { connectionEpoch, type ReplicaAck, type ShortfallKind } from './store/replication.ts';

export { utcDay, type ApproveResult, type DailyLimits, type DailyUsage } from './store/approvals.ts';
export type { BatchSummary, OpenBatch } from './store/batches.ts';
export type { CreateResult, NewWithdrawal } from './store/create.ts';
export { ReplicationShortfallError, type ReplicaAck, type ShortfallKind } from './store/replication.ts';
export type { ResolvedInvoice, StoreInvoiceResult } from './store/resolve.ts';
export { InvalidCursorError, MAX_LIST_PAGE, STATUS_SCAN_WINDOW, type ListPage, type ListQuery } from './store/listing.ts';
export { IllegalTransitionError, type RecordIdentity, type TransitionRequest, type TransitionResult } from './store/records.ts';

export interface StoreOptions {
  redis: RedisClient;
  keys: Keys;
  /** Approximate number of events kept in the stream (0 keeps all). */
  eventsMaxLen: number;
  /** Approximate bytes each event stream keeps at most (0: no byte budget). @defaultValue 0 */
  eventsMaxBytes?: number;
  /**
   * How long a withdrawal's history outlives its final status (succeeded, failed, cancelled), in ms;
   * 0 or absent keeps it. The record itself (the idempotency key and the truth) is always kept.
   */
  historyRetentionMs?: number;
  now?: () => Date;
  /** The providers' names (the runtime's definitions): a stored record naming another is an error. */
  providers: readonly string[];
  /** REDIS_MIN_REPLICAS_ACK, REDIS_ACK_TIMEOUT_MS. @defaultValue none waited for */
  replicaAck?: ReplicaAck;
  /** Told of each write the replicas did not confirm in time. */
  onShortfall?(kind: ShortfallKind): void;
}

export type WithdrawalStore = ReturnType<typeof createStore>;

/**
 * The withdrawal records in Redis: the source of truth, changed only through atomic scripts. The
 * only module that speaks Redis hashes and Lua for withdrawals and batches; everyone else gets typed
 * values from these methods.
 */
export function createStore(opts: StoreOptions) {
  const ctx: StoreContext = {
    redis: defineScripts(opts.redis),
    keys: opts.keys,
    now: opts.now ?? (() => new Date()),
    eventsMaxLen: opts.eventsMaxLen,
    eventsMaxBytes: opts.eventsMaxBytes ?? 0,
    historyRetentionMs: opts.historyRetentionMs ?? 0,
    providers: opts.providers,
    replicaAck: opts.replicaAck ?? { count: 0, timeoutMs: 0 },
    onShortfall: opts.onShortfall ?? (() => undefined),
  };
  // Losses of the connection are counted from now: a WAIT across one confirms nothing.
  connectionEpoch(ctx.redis);
  const records = createRecords(ctx);
  const { get, read, listRecords, owner, transition } = records;

  /** A page of the event stream the scripts write, oldest first; `owner` keeps one producer's alone. */
  function events(afterStreamId: string | null, limit: number, owner: string | null): Promise<EventPage> {
    return readEvents(ctx.redis, ctx.keys, afterStreamId, limit, owner);
  }

  /** The connection's liveness, for the API's health checks and its 503 answers (no data through it). */
  const connection: RedisLiveness = ctx.redis;

  return {
    /** The providers' names this store knows. */
    providers: ctx.providers,
    get,
    read,
    listRecords,
    owner,
    transition,
    ...createCreates(ctx, records),
    ...createStatusSets(ctx),
    ...createApprovals(ctx, records),
    ...createResolves(ctx),
    ...createBatches(ctx),
    ...createListing(ctx),
    events,
    connection,
  };
}
