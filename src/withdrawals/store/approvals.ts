import { parseMsat } from '../../money.ts';
import { STATUSES, type Status } from '../status.ts';
import type { StoreContext } from './context.ts';
import type { RecordIdentity } from './records.ts';
import { callOf } from '../script-layout.ts';
import { APPROVE } from '../script-layouts.ts';

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

export type ApproveResult =
  | { kind: 'missing' | 'own' }
  | { kind: 'invalid_state'; current: Status | null }
  /** `already`: this operator had approved it; `approved`: counted, more needed; `queued`: the last one. */
  | { kind: 'already' | 'approved' | 'queued'; count: number };

/** Operators' approvals of held withdrawals, and the producers' daily budgets. */
export function createApprovals(ctx: StoreContext, records: { identity(id: string): Promise<RecordIdentity | null> }) {
  const { redis, keys } = ctx;

  /**
   * One operator's approval of a withdrawal awaiting it; the last one needed moves it to `queued`
   * in the same atomic step (approve.lua).
   */
  async function approve(id: string, operator: string, note: string | null, required: number): Promise<ApproveResult> {
    const known = await records.identity(id);
    if (!known) return { kind: 'missing' };
    const at = ctx.now();
    const [kind, value] = await redis.wdApprove(
      ...callOf(
        APPROVE,
        {
          record: keys.record(id),
          history: keys.history(id),
          events: keys.events,
          approvals: keys.approvals(id),
          batch: known.batchId ? keys.batch(known.batchId) : keys.none,
          awaitingSet: keys.statusSet(known.provider, 'awaiting_approval'),
          queuedSet: keys.statusSet(known.provider, 'queued'),
        },
        { operator, note: note ?? '', nowIso: at.toISOString(), nowMs: at.getTime(), approvalsRequired: required, eventsMaxLen: ctx.eventsMaxLen, eventsMaxBytes: ctx.eventsMaxBytes },
      ),
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
  async function dailyUsage(owner: string, day: string = utcDay(ctx.now())): Promise<DailyUsage> {
    const [amount, count] = await redis.hmget(keys.dailyBudget(owner, day), 'amount', 'count');
    // create.lua writes the amount with HSET as an exact decimal; older days' HINCRBY wrote the same digits.
    return { day, amountMsat: parseMsat(amount ?? '0'), count: Number(count ?? 0) };
  }

  return { approve, approvers, dailyUsage };
}
