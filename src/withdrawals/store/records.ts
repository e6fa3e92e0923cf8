import { DEFAULT_PRODUCER } from '../../callers.ts';
import { asProvider, decodeWithdrawal, encodeChange, parseRecord, type RecordChange } from '../record-codec.ts';
import { STATUSES, type Status } from '../status.ts';
import type { HistoryEntry, ProviderName, WithdrawalRecord } from '../types.ts';
import type { Withdrawal } from '../withdrawal.ts';
import type { StoreContext } from './context.ts';
import { callOf } from '../script-layout.ts';
import { TRANSITION } from '../script-layouts.ts';
import { connectionEpoch, replicated, ReplicationShortfallError } from './replication.ts';

export interface TransitionRequest {
  from: Status;
  to: Status;
  /** Failover: the provider the withdrawal moves to (its `to` status set is that provider's). */
  toProvider?: ProviderName;
  /** The attempt token the caller holds; the change is refused when the record carries another. */
  fence?: string;
  newFence?: string;
  /** The fields it changes, typed; the codec encodes them. */
  change?: RecordChange;
  /** The provider the record must be routed to (a submit's fence): another answers `wrong_provider`. */
  provider?: ProviderName;
  cause: string;
  actor?: string;
  note?: string;
  countAttempt?: boolean;
  newRound?: boolean;
  /**
   * The round the caller read: a record in another round is refused as a `conflict` (a submit's
   * fence carries it, so a record read before a resubmit is never paid under the new round's fence).
   */
  round?: number;
  /**
   * The record's provider and batch id, when the caller has just read the record: they never change
   * after creation, so passing them saves a round trip. The script checks them and refuses to write
   * if they are wrong (then the store reads them and tries once more).
   */
  known?: RecordIdentity;
}

export interface RecordIdentity {
  provider: ProviderName;
  batchId: string | null;
}

export type TransitionResult =
  | { ok: true }
  | { ok: false; reason: 'missing' | 'conflict' | 'fenced' | 'illegal' | 'wrong_provider' | 'unapproved'; current: Status | null };

export class IllegalTransitionError extends Error {
  override name = 'IllegalTransitionError';
}

/** One withdrawal at a time: read it (typed, or as the API shows it) and move it through the state machine. */
export function createRecords(ctx: StoreContext) {
  const { redis, keys } = ctx;

  /** The record the API returns, with its history. */
  async function get(id: string): Promise<WithdrawalRecord | null> {
    const [fields, history] = await Promise.all([redis.hgetall(keys.record(id)), redis.lrange(keys.history(id), 0, -1)]);
    if (!fields.status) return null;
    return parseRecord(fields, history, ctx.providers);
  }

  /** The withdrawal, decoded and checked (no history): what workers, the sweep and operators' actions read. */
  async function read(id: string): Promise<Withdrawal | null> {
    const fields = await redis.hgetall(keys.record(id));
    return fields.status ? decodeWithdrawal(fields, ctx.providers) : null;
  }

  /** The API records of these ids without their histories (a listing shows none); ids with no record are left out. */
  async function listRecords(ids: readonly string[]): Promise<WithdrawalRecord[]> {
    const all = await Promise.all(ids.map((id) => redis.hgetall(keys.record(id))));
    return all.filter((f) => f.status).map((f) => parseRecord(f, [], ctx.providers));
  }

  /** Who owns a withdrawal (it never changes after creation), or null when there is none. */
  async function owner(id: string): Promise<string | null> {
    const [status, who] = await redis.hmget(keys.record(id), 'status', 'owner');
    return status ? who || DEFAULT_PRODUCER : null;
  }

  /** The provider and batch that name a record's index keys, or null when there is no record. */
  async function identity(id: string): Promise<RecordIdentity | null> {
    const [provider, batchId] = await redis.hmget(keys.record(id), 'provider', 'batchId');
    return provider ? { provider: asProvider(provider, ctx.providers), batchId: batchId || null } : null;
  }

  /**
   * Waits for the replicas (REDIS_MIN_REPLICAS_ACK) to hold a transition just written. A fence they
   * do not confirm throws ReplicationShortfallError: the worker then makes no provider call. Any
   * other transition (a provider's answer) stays written on the primary and the shortfall is
   * reported: should a failover lose it, the fence the replicas do hold sends the withdrawal to
   * reconciliation (`submitting` -> `unknown` -> a lookup), never to a second call.
   */
  async function confirm(id: string, t: TransitionRequest, epoch: number): Promise<void> {
    const fence = t.to === 'submitting';
    let ok = false;
    try {
      ok = await replicated(redis, ctx.replicaAck, keys.record(id), epoch);
    } catch (err) {
      if (fence) throw err;
    }
    if (ok) return;
    ctx.onShortfall(fence ? 'fence' : 'transition');
    if (fence) throw new ReplicationShortfallError(`withdrawal ${id}: ${ctx.replicaAck.count} replica(s) did not confirm the submit fence within ${ctx.replicaAck.timeoutMs} ms; no provider call was made`);
  }

  async function transition(id: string, t: TransitionRequest): Promise<TransitionResult> {
    // provider and batchId never change after creation, so reading them first is race-free.
    const found = t.known ?? (await identity(id));
    // The fence carries the provider: a job of one provider never moves a record routed to another.
    const known = found && t.provider !== undefined ? { ...found, provider: t.provider } : found;
    if (!known) return { ok: false, reason: 'missing', current: null };
    const { provider, batchId } = known;
    const at = ctx.now();
    const entry: HistoryEntry = { status: t.to, at: at.toISOString(), cause: t.cause };
    if (t.actor) entry.actor = t.actor;
    if (t.note) entry.note = t.note;
    const epoch = connectionEpoch(redis);
    const res = await redis.wdTransition(
      ...callOf(
        TRANSITION,
        {
          record: keys.record(id),
          history: keys.history(id),
          events: keys.events,
          batch: batchId ? keys.batch(batchId) : keys.none,
          fromSet: keys.statusSet(provider, t.from),
          toSet: keys.statusSet(t.toProvider ?? provider, t.to),
          approvals: keys.approvals(id),
          openAddresses: keys.openAddresses,
        },
        {
          from: t.from,
          to: t.to,
          fence: t.fence ?? '',
          nowIso: at.toISOString(),
          nowMs: at.getTime(),
          updates: JSON.stringify(encodeChange(t.change ?? {})),
          entry: JSON.stringify(entry),
          eventsMaxLen: ctx.eventsMaxLen,
          eventsMaxBytes: ctx.eventsMaxBytes,
          round: t.round ?? '',
          newFence: t.newFence ?? '',
          countAttempt: t.countAttempt ? '1' : '0',
          newRound: t.newRound ? '1' : '0',
          provider,
          strictProvider: t.provider !== undefined ? '1' : '0',
          batchId: batchId ?? '',
          historyRetentionMs: ctx.historyRetentionMs,
        },
      ),
    );
    const [kind, current] = res;
    if (kind === 'ok') {
      await confirm(id, t, epoch);
      return { ok: true };
    }
    if (kind === 'wrong_provider') return { ok: false, reason: 'wrong_provider', current: STATUSES.find((s) => s === current) ?? null };
    if (kind === 'unapproved') return { ok: false, reason: 'unapproved', current: STATUSES.find((s) => s === current) ?? null };
    if (kind === 'invalid_input') throw new Error(`withdrawal ${id}: the transition script refused its input (${String(current)})`);
    if (kind === 'stale_keys') {
      if (t.known) return transition(id, { ...t, known: undefined });
      throw new Error(`withdrawal ${id}: its provider or batch changed while it was being updated`);
    }
    const reason = kind === 'missing' || kind === 'conflict' || kind === 'fenced' ? kind : 'illegal';
    if (reason === 'illegal') {
      throw new IllegalTransitionError(`withdrawal ${id}: ${t.from} -> ${t.to} is not an allowed transition`);
    }
    return { ok: false, reason, current: STATUSES.find((s) => s === current) ?? null };
  }

  return { get, read, listRecords, owner, identity, transition };
}
