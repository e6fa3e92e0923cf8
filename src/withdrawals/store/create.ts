import { DEFAULT_PRODUCER } from '../../callers.ts';
import { coalesce } from '../../coalesce.ts';
import { BITCOIN_SUPPLY_MSAT, parseMsat } from '../../money.ts';
import { storedBodyHash } from '../body-hash.ts';
import { parseRecord } from '../record-codec.ts';
import { packInvoice } from '../stored-invoice.ts';
import type { HistoryEntry, ProviderName, WithdrawalRecord } from '../types.ts';
import { utcDay, type DailyLimits, type DailyUsage } from './approvals.ts';
import type { StoreContext } from './context.ts';
import { argsOf, keysOf, type ScriptValue } from '../script-layout.ts';
import { CREATE } from '../script-layouts.ts';
import { connectionEpoch, replicated, ReplicationShortfallError } from './replication.ts';

export interface NewWithdrawal {
  id: string;
  /** The producer creating it: an id another producer already used is a conflict. */
  owner: string;
  /**
   * The submit job of the batch part that will carry it (src/queues/names.ts `partJobId`), for the
   * sweep to find it by; absent: its own job. Dropped when it becomes final. @defaultValue null
   */
  job?: string | null;
  provider: ProviderName;
  bodyHash: string;
  invoice: string | null;
  /** A Lightning Address or LNURL-pay string (its invoice comes later, from the worker). @defaultValue null */
  lightningAddress?: string | null;
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
  /** Distinct operators' approvals it needs before any submit (the fence checks them); 0 or absent: none. */
  approvalsNeeded?: number;
  /** Unix ms when the invoice expires (null: an address, which does not). */
  expiresAt?: number | null;
  /** The owner's daily limits (LIMIT_DAILY_AMOUNT_MSAT, LIMIT_DAILY_COUNT); absent or null: none. */
  dailyLimits?: DailyLimits;
  /** QUOTA_DAILY_CREATED: withdrawals the owner may create that day, none given back; absent or null: none. */
  dailyQuota?: number | null;
}

export type CreateResult =
  | { kind: 'created'; record: WithdrawalRecord }
  | { kind: 'exists'; record: WithdrawalRecord }
  | { kind: 'conflict' }
  | { kind: 'invoice_used'; otherId: string; otherOwner: string }
  /** An on-chain address that another withdrawal, not yet final, pays: nothing was written. */
  | { kind: 'address_open'; otherId: string; otherOwner: string }
  /** Over a daily limit: nothing was written; what the owner had accepted that day before it. */
  | { kind: 'limit_exceeded'; used: DailyUsage }
  /** Past QUOTA_DAILY_CREATED: nothing was written; how many the owner had created that day. */
  | { kind: 'quota_exceeded'; day: string; created: number };

/** Keys and arguments of one withdrawal in a create.lua call (the layout CREATE names them). */
export const CREATE_KEYS_PER_ITEM = CREATE.keys.length;
export const CREATE_ARGS_PER_ITEM = CREATE.args.length;

/** One withdrawal's part of a create.lua call: CREATE_KEYS_PER_ITEM keys and CREATE_ARGS_PER_ITEM arguments. */
interface CreateCall {
  keys: string[];
  args: ScriptValue[];
  fields: Record<string, string>;
  entry: HistoryEntry;
  iso: string;
  day: string;
}

/**
 * The creates of one event-loop turn (a batch stores up to 1,024 items at once) travel in one
 * create.lua call, up to this many: a command and a script run per 64 items instead of per item,
 * each item still checked and written exactly as if alone. 64 items keep one call near 3 ms.
 */
const CREATES_PER_CALL = 64;

/** Creating withdrawals: each atomically with its idempotency check, indexes, daily budget and event (create.lua). */
export function createCreates(
  ctx: StoreContext,
  records: { get(id: string): Promise<WithdrawalRecord | null>; owner(id: string): Promise<string | null> },
) {
  const { redis, keys } = ctx;

  function createCall(w: NewWithdrawal): CreateCall {
    // create.lua refuses a whole call for one bad amount: refuse it here, for this withdrawal alone.
    if (w.amountMsat !== null && (w.amountMsat < 0n || w.amountMsat > BITCOIN_SUPPLY_MSAT)) {
      throw new RangeError(`withdrawal ${w.id}: amount ${w.amountMsat} msat is not between 0 and 21 million BTC`);
    }
    const at = ctx.now();
    const iso = at.toISOString();
    const fields: Record<string, string> = {
      id: w.id,
      owner: w.owner,
      provider: w.provider,
      reconcileDeadline: String(w.reconcileDeadline),
    };
    const optional: Record<string, string | null> = {
      invoice: w.invoice === null ? null : packInvoice(w.invoice),
      lightningAddress: w.lightningAddress ?? null,
      address: w.address,
      paymentHash: w.paymentHash,
      amountMsat: w.amountMsat?.toString() ?? null,
      sendAmountMsat: w.sendAmountMsat?.toString() ?? null,
      batchId: w.batchId,
      description: w.description,
      metadata: w.metadata === null ? null : JSON.stringify(w.metadata),
    };
    if (w.expiresAt) optional.expiresAt = String(w.expiresAt);
    if (w.approvalsNeeded && w.approvalsNeeded > 0) optional.approvalsNeeded = String(w.approvalsNeeded);
    if (w.route && w.route.length > 0) optional.route = w.route.join(',');
    if (w.job) optional.job = w.job;
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
      keys: keysOf(CREATE, {
        record: keys.record(w.id),
        history: keys.history(w.id),
        paymentHash: w.paymentHash ? keys.paymentHash(w.paymentHash) : keys.none,
        legacyPaymentHash: w.paymentHash ? keys.legacyPaymentHash(w.paymentHash) : keys.none,
        statusSet: keys.statusSet(w.provider, status),
        events: keys.events,
        batch: w.batchId ? keys.batch(w.batchId) : keys.none,
        batchItems: w.batchId ? keys.batchItems(w.batchId) : keys.none,
        dailyBudget: keys.dailyBudget(w.owner, day),
        openAddresses: w.address ? keys.openAddresses : keys.none,
        ownerListing: keys.ownerListing(w.owner),
        listing: keys.listing,
      }),
      args: argsOf(CREATE, {
        bodyHash: w.bodyHash,
        nowIso: iso,
        nowMs: at.getTime(),
        fields: JSON.stringify(fields),
        entry: JSON.stringify(entry),
        eventsMaxLen: ctx.eventsMaxLen,
        paymentHashField: w.paymentHash ? keys.paymentHashField(w.paymentHash) : '',
        batchId: w.batchId ?? '',
        amountMsat: w.amountMsat?.toString() ?? '0',
        firstStatus: status,
        dailyAmountLimit: w.dailyLimits?.amountMsat?.toString() ?? '',
        dailyCountLimit: w.dailyLimits?.count?.toString() ?? '',
        dailyCreatedQuota: w.dailyQuota?.toString() ?? '',
        eventsMaxBytes: ctx.eventsMaxBytes,
      }),
    };
  }

  /**
   * One create.lua call, then one WAIT for the replicas (REDIS_MIN_REPLICAS_ACK) covering all its
   * items: when they do not confirm in time, each item stored or found stored answers `unconfirmed`.
   */
  const createMany = coalesce<CreateCall, string[]>(async (calls) => {
    const epoch = connectionEpoch(redis);
    const rows = await redis.wdCreate(calls.length * CREATE_KEYS_PER_ITEM, ...calls.flatMap((c) => c.keys), ...calls.flatMap((c) => c.args));
    const stored = rows.some(([kind]) => kind === 'created' || kind === 'exists');
    if (!stored || (await replicated(redis, ctx.replicaAck, keys.events, epoch).catch(() => false))) return rows;
    ctx.onShortfall('create');
    return rows.map((row) => (row[0] === 'created' || row[0] === 'exists' ? ['unconfirmed'] : row));
  }, CREATES_PER_CALL);

  async function create(w: NewWithdrawal): Promise<CreateResult> {
    const call = createCall(w);
    const { fields, entry, iso } = call;
    const res = await createMany(call);
    const [kind, other, count] = res;
    if (kind === 'limit_exceeded') return { kind, used: usedOf(call.day, other, count) };
    if (kind === 'quota_exceeded') {
      if (other === undefined || !/^(0|[1-9][0-9]{0,14})$/.test(other)) throw new Error(`create.lua answered quota_exceeded with a created count ${String(other)}`);
      return { kind, day: call.day, created: Number(other) };
    }
    if (kind === 'unconfirmed') {
      throw new ReplicationShortfallError(
        `withdrawal ${w.id}: ${ctx.replicaAck.count} replica(s) did not confirm it within ${ctx.replicaAck.timeoutMs} ms; it may be stored, send the same body again`,
      );
    }
    if (kind === 'corrupt') throw new Error(`create.lua found a stored ${other ?? 'value'} that is no integer; withdrawal ${w.id} not created`);
    if (kind === 'conflict') return { kind: 'conflict' };
    if (kind === 'invoice_used') return { kind: 'invoice_used', otherId: other ?? '', otherOwner: (await records.owner(other ?? '')) ?? DEFAULT_PRODUCER };
    if (kind === 'address_open') return { kind, otherId: other ?? '', otherOwner: (await records.owner(other ?? '')) ?? DEFAULT_PRODUCER };
    if (kind === 'created') {
      // Exactly what create.lua wrote: no need to read it back (a round trip per accepted item).
      const written = { ...fields, bodyHash: storedBodyHash(w.bodyHash), status: entry.status, attempts: '0', createdAt: iso, updatedAt: iso };
      return { kind: 'created', record: parseRecord(written, [JSON.stringify(entry)], ctx.providers) };
    }
    if (kind !== 'exists') throw new Error(`create.lua answered ${String(kind)}`);
    const record = await records.get(w.id);
    if (!record) throw new Error(`withdrawal ${w.id} vanished right after it was written`);
    return { kind: 'exists', record };
  }

  return { create };
}

/** The day's usage create.lua reports with `limit_exceeded`: exact integers, or a loud error. */
function usedOf(day: string, amount: string | undefined, count: string | undefined): DailyUsage {
  if (amount === undefined || count === undefined || !/^(0|[1-9][0-9]{0,14})$/.test(count)) {
    throw new Error(`create.lua answered limit_exceeded with a used amount ${String(amount)} and count ${String(count)}`);
  }
  return { day, amountMsat: parseMsat(amount), count: Number(count) };
}
