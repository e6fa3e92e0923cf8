import { DEFAULT_PRODUCER } from '../callers.ts';
import { coalesce } from '../coalesce.ts';
import type { Keys } from '../keys.ts';
import type { RedisClient } from '../redis.ts';
import { defineScripts, type ScriptCommands } from './scripts.ts';
import { STATUSES, TRANSITIONS, type Status } from './status.ts';
import type { HistoryEntry, ProviderName, WithdrawalRecord } from './types.ts';
import { PROVIDERS } from './types.ts';
import { parseRecord } from './record-codec.ts';

export interface NewWithdrawal {
  id: string;
  /** The producer creating it: an id another producer already used is a conflict. */
  owner: string;
  provider: ProviderName;
  bodyHash: string;
  invoice: string | null;
  address: string | null;
  paymentHash: string | null;
  amountMsat: bigint | null;
  sendAmountMsat: bigint | null;
  batchId: string | null;
  description: string | null;
  metadata: Record<string, unknown> | null;
  reconcileDeadline: number;
  /** `provider: "auto"`: the providers that can pay it, in order (failover goes down it). */
  route?: readonly ProviderName[] | null;
  /** Why `provider` was chosen (auto), for the first history entry. */
  routing?: string | null;
  /** `awaiting_approval` holds it for operators' approval; absent: `queued`. */
  initialStatus?: 'queued' | 'awaiting_approval';
  /** Unix ms when the invoice expires (null: an address, which does not). */
  expiresAt?: number | null;
  /** The owner's daily limits (LIMIT_DAILY_AMOUNT_MSAT, LIMIT_DAILY_COUNT); absent or null: none. */
  dailyLimits?: DailyLimits;
}

export interface DailyLimits {
  amountMsat: bigint | null;
  count: number | null;
}

/** What one producer had accepted on one UTC day. */
export interface DailyUsage {
  day: string;
  amountMsat: bigint;
  count: number;
}

/** The UTC day a time falls on, as the daily budgets name it. */
export function utcDay(at: Date): string {
  return at.toISOString().slice(0, 10);
}

export type CreateResult =
  | { kind: 'created'; record: WithdrawalRecord }
  | { kind: 'exists'; record: WithdrawalRecord }
  | { kind: 'conflict' }
  | { kind: 'invoice_used'; otherId: string; otherOwner: string }
  /** Over a daily limit: nothing was written; what the owner had accepted that day before it. */
  | { kind: 'limit_exceeded'; used: DailyUsage };

export interface TransitionRequest {
  from: Status;
  to: Status;
  /** Failover: the provider the withdrawal moves to (its `to` status set is that provider's). */
  toProvider?: ProviderName;
  /** The attempt token the caller holds; the change is refused when the record carries another. */
  fence?: string;
  newFence?: string;
  updates?: Record<string, string | null>;
  cause: string;
  actor?: string;
  note?: string;
  countAttempt?: boolean;
  newRound?: boolean;
  /**
   * The record's provider and batch id, when the caller has just read the record: they never change
   * after creation, so passing them saves a round trip. The script checks them and refuses to write
   * if they are wrong (then the store reads them and tries once more).
   */
  known?: RecordIdentity;
}

export type ApproveResult =
  | { kind: 'missing' | 'own' }
  | { kind: 'invalid_state'; current: Status | null }
  /** `already`: this operator had approved it; `approved`: counted, more needed; `queued`: the last one. */
  | { kind: 'already' | 'approved' | 'queued'; count: number };

export interface RecordIdentity {
  provider: string;
  batchId: string | null;
}

export type TransitionResult =
  | { ok: true }
  | { ok: false; reason: 'missing' | 'conflict' | 'fenced' | 'illegal'; current: Status | null };

export class IllegalTransitionError extends Error {
  override name = 'IllegalTransitionError';
}

export interface StoreOptions {
  redis: RedisClient;
  keys: Keys;
  /** Approximate number of events kept in the stream (0 keeps all). */
  eventsMaxLen: number;
  /**
   * How long a withdrawal's history outlives its final status (succeeded, failed, cancelled), in ms;
   * 0 or absent keeps it. The record itself (the idempotency key and the truth) is always kept.
   */
  historyRetentionMs?: number;
  now?: () => Date;
}

export type WithdrawalStore = ReturnType<typeof createStore>;

/** The withdrawal records in Redis: the source of truth, changed only through atomic scripts. */
export function createStore(opts: StoreOptions) {
  const redis: RedisClient & ScriptCommands = defineScripts(opts.redis);
  const { keys } = opts;
  const now = opts.now ?? (() => new Date());

  async function get(id: string): Promise<WithdrawalRecord | null> {
    const [fields, history] = await Promise.all([
      redis.hgetall(keys.record(id)),
      redis.lrange(keys.history(id), 0, -1),
    ]);
    if (!fields.status) return null;
    return parseRecord(fields, history);
  }

  /** Reads only the hash (no history): what workers need. */
  async function getFields(id: string): Promise<Record<string, string> | null> {
    const fields = await redis.hgetall(keys.record(id));
    return fields.status ? fields : null;
  }

  /** One withdrawal's part of a create.lua call: 8 keys and 12 arguments. */
  interface CreateCall {
    keys: string[];
    args: (string | number)[];
    fields: Record<string, string>;
    entry: HistoryEntry;
    iso: string;
    day: string;
  }

  function createCall(w: NewWithdrawal): CreateCall {
    const at = now();
    const iso = at.toISOString();
    const fields: Record<string, string> = {
      id: w.id,
      owner: w.owner,
      provider: w.provider,
      reconcileDeadline: String(w.reconcileDeadline),
    };
    const optional: Record<string, string | null> = {
      invoice: w.invoice,
      address: w.address,
      paymentHash: w.paymentHash,
      amountMsat: w.amountMsat?.toString() ?? null,
      sendAmountMsat: w.sendAmountMsat?.toString() ?? null,
      batchId: w.batchId,
      description: w.description,
      metadata: w.metadata === null ? null : JSON.stringify(w.metadata),
    };
    if (w.expiresAt) optional.expiresAt = String(w.expiresAt);
    if (w.route && w.route.length > 0) optional.route = w.route.join(',');
    for (const [k, v] of Object.entries(optional)) if (v !== null) fields[k] = v;
    const status = w.initialStatus ?? 'queued';
    const held = status === 'queued' ? '' : "; held for operators' approval";
    const entry: HistoryEntry = { status, at: iso, cause: `accepted${w.routing ? `; ${w.routing}` : ''}${held}` };
    const day = utcDay(at);
    return {
      fields,
      entry,
      iso,
      day,
      keys: [
        keys.record(w.id),
        keys.history(w.id),
        w.paymentHash ? keys.paymentHash(w.paymentHash) : keys.none,
        keys.statusSet(w.provider, status),
        keys.events,
        w.batchId ? keys.batch(w.batchId) : keys.none,
        w.batchId ? keys.batchItems(w.batchId) : keys.none,
        keys.dailyBudget(w.owner, day),
      ],
      args: [
        w.bodyHash,
        iso,
        at.getTime(),
        JSON.stringify(fields),
        JSON.stringify(entry),
        opts.eventsMaxLen,
        w.paymentHash ? '1' : '0',
        w.batchId ?? '',
        w.amountMsat?.toString() ?? '0',
        status,
        w.dailyLimits?.amountMsat?.toString() ?? '',
        w.dailyLimits?.count?.toString() ?? '',
      ],
    };
  }

  /**
   * The creates of one event-loop turn (a batch stores up to 1,024 items at once) travel in one
   * create.lua call, up to this many: a command and a script run per 64 items instead of per item,
   * each item still checked and written exactly as if alone. 64 items keep one call near 3 ms.
   */
  const CREATES_PER_CALL = 64;
  const createMany = coalesce<CreateCall, string[]>(
    (calls) => redis.wdCreate(calls.length * 8, ...calls.flatMap((c) => c.keys), ...calls.flatMap((c) => c.args)),
    CREATES_PER_CALL,
  );

  async function create(w: NewWithdrawal): Promise<CreateResult> {
    const call = createCall(w);
    const { fields, entry, iso } = call;
    const res = await createMany(call);
    const [kind, other, count] = res;
    if (kind === 'limit_exceeded') return { kind, used: { day: call.day, amountMsat: BigInt(other ?? '0'), count: Number(count ?? 0) } };
    if (kind === 'conflict') return { kind: 'conflict' };
    if (kind === 'invoice_used') return { kind: 'invoice_used', otherId: other ?? '', otherOwner: (await owner(other ?? '')) ?? DEFAULT_PRODUCER };
    if (kind === 'created') {
      // Exactly what create.lua wrote: no need to read it back (a round trip per accepted item).
      const written = { ...fields, bodyHash: w.bodyHash, status: entry.status, attempts: '0', createdAt: iso, updatedAt: iso };
      return { kind: 'created', record: parseRecord(written, [JSON.stringify(entry)]) };
    }
    const record = await get(w.id);
    if (!record) throw new Error(`withdrawal ${w.id} vanished right after it was written`);
    return { kind: 'exists', record };
  }

  /** Who owns a withdrawal (it never changes after creation), or null when there is none. */
  async function owner(id: string): Promise<string | null> {
    const [status, who] = await redis.hmget(keys.record(id), 'status', 'owner');
    return status ? who || DEFAULT_PRODUCER : null;
  }

  async function identity(id: string): Promise<RecordIdentity | null> {
    const [provider, batchId] = await redis.hmget(keys.record(id), 'provider', 'batchId');
    return provider ? { provider, batchId: batchId || null } : null;
  }

  async function transition(id: string, t: TransitionRequest): Promise<TransitionResult> {
    // provider and batchId never change after creation, so reading them first is race-free.
    const known = t.known ?? (await identity(id));
    if (!known) return { ok: false, reason: 'missing', current: null };
    const { provider, batchId } = known;
    const at = now();
    const entry: HistoryEntry = { status: t.to, at: at.toISOString(), cause: t.cause };
    if (t.actor) entry.actor = t.actor;
    if (t.note) entry.note = t.note;
    const res = await redis.wdTransition(
      keys.record(id),
      keys.history(id),
      keys.events,
      batchId ? keys.batch(batchId) : keys.none,
      keys.statusSet(provider, t.from),
      keys.statusSet(t.toProvider ?? provider, t.to),
      t.from,
      t.to,
      t.fence ?? '',
      at.toISOString(),
      at.getTime(),
      JSON.stringify(t.updates ?? {}),
      JSON.stringify(entry),
      opts.eventsMaxLen,
      TRANSITIONS[t.from].join(','),
      t.newFence ?? '',
      t.countAttempt ? '1' : '0',
      t.newRound ? '1' : '0',
      provider,
      batchId ?? '',
      opts.historyRetentionMs ?? 0,
    );
    const [kind, current] = res;
    if (kind === 'ok') return { ok: true };
    if (kind === 'stale_keys') {
      if (t.known) return transition(id, { ...t, known: undefined });
      throw new Error(`withdrawal ${id}: its provider or batch changed while it was being updated`);
    }
    const reason = kind === 'missing' || kind === 'conflict' || kind === 'fenced' ? kind : 'illegal';
    if (reason === 'illegal') {
      throw new IllegalTransitionError(`withdrawal ${id}: ${t.from} -> ${t.to} is not an allowed transition`);
    }
    return { ok: false, reason, current: (current as Status | undefined) ?? null };
  }

  async function idsInStatus(provider: ProviderName, status: Status, limit = 1000, offset = 0): Promise<string[]> {
    return redis.zrange(keys.statusSet(provider, status), offset, offset + limit - 1);
  }

  /** Withdrawals that entered `status` before `beforeMs` (oldest first). */
  async function idsInStatusSince(provider: ProviderName, status: Status, beforeMs: number, limit: number): Promise<string[]> {
    return redis.zrangebyscore(keys.statusSet(provider, status), '-inf', beforeMs, 'LIMIT', 0, limit);
  }

  async function countByStatus(): Promise<Record<ProviderName, Record<Status, number>>> {
    const pipeline = redis.pipeline();
    for (const p of PROVIDERS) for (const s of STATUSES) pipeline.zcard(keys.statusSet(p, s));
    const results = (await pipeline.exec()) ?? [];
    const out = {} as Record<ProviderName, Record<Status, number>>;
    let i = 0;
    for (const p of PROVIDERS) {
      const row = {} as Record<Status, number>;
      for (const s of STATUSES) row[s] = Number(results[i++]?.[1] ?? 0);
      out[p] = row;
    }
    return out;
  }

  /** Unix ms at which the oldest withdrawal entered `status`, or null. */
  async function oldestIn(provider: ProviderName, status: Status): Promise<number | null> {
    const first = await redis.zrange(keys.statusSet(provider, status), 0, 0, 'WITHSCORES');
    return first[1] === undefined ? null : Number(first[1]);
  }

  /** Claims a batch id for `owner` unless someone has it already; answers the batch's owner. */
  async function claimBatch(batchId: string, owner: string): Promise<string> {
    return redis.wdClaimBatch(keys.batch(batchId), owner);
  }

  /**
   * One operator's approval of a withdrawal awaiting it; the last one needed moves it to `queued`
   * in the same atomic step (approve.lua).
   */
  async function approve(id: string, operator: string, note: string | null, required: number): Promise<ApproveResult> {
    const known = await identity(id);
    if (!known) return { kind: 'missing' };
    const at = now();
    const [kind, value] = await redis.wdApprove(
      keys.record(id),
      keys.history(id),
      keys.events,
      keys.approvals(id),
      known.batchId ? keys.batch(known.batchId) : keys.none,
      keys.statusSet(known.provider, 'awaiting_approval'),
      keys.statusSet(known.provider, 'queued'),
      operator,
      note ?? '',
      at.toISOString(),
      at.getTime(),
      required,
      opts.eventsMaxLen,
    );
    switch (kind) {
      case 'missing':
      case 'own':
        return { kind };
      case 'invalid_state':
        return { kind, current: STATUSES.find((s) => s === value) ?? null };
      case 'already':
      case 'approved':
      case 'queued':
        return { kind, count: Number(value) };
      default:
        throw new Error(`approve.lua answered ${String(kind)}`);
    }
  }

  /** The operators who approved a withdrawal so far. */
  async function approvers(id: string): Promise<string[]> {
    return (await redis.smembers(keys.approvals(id))).sort();
  }

  /** What a producer has accepted on a UTC day (cancelled and failed withdrawals given back). */
  async function dailyUsage(owner: string, day: string = utcDay(now())): Promise<DailyUsage> {
    const [amount, count] = await redis.hmget(keys.dailyBudget(owner, day), 'amount', 'count');
    return { day, amountMsat: BigInt(amount ?? '0'), count: Number(count ?? 0) };
  }

  /** Who owns a batch, or null when there is none. */
  async function batchOwner(batchId: string): Promise<string | null> {
    const key = keys.batch(batchId);
    const [owner, exists] = await Promise.all([redis.hget(key, 'owner'), redis.exists(key)]);
    return owner ?? (exists ? DEFAULT_PRODUCER : null);
  }

  /** No more items will join the batch; emits `batch.done` at once if every item is already terminal. */
  async function sealBatch(batchId: string): Promise<void> {
    const at = now().toISOString();
    await redis.wdSealBatch(keys.batch(batchId), keys.events, batchId, at, opts.eventsMaxLen, at);
  }

  return { redis, keys, approve, approvers, dailyUsage, claimBatch, batchOwner, sealBatch, get, getFields, owner, create, transition, idsInStatus, idsInStatusSince, countByStatus, oldestIn };
}
