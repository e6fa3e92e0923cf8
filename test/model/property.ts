import fc from 'fast-check';
import type { Redis } from 'ioredis';
import { STATUSES } from '../../src/withdrawals/status.ts';
import { findViolations, report } from './checker.ts';
import { AMBIGUOUS_REFUSALS, commandArbitrary } from './commands.ts';
import { drain, DRAIN_ANSWERS, type DrainPlan } from './drain.ts';
import { buildSystem, PROVIDERS, type System } from './system.ts';

export interface PropertyOptions {
  redis: Redis;
  /** Prefix of every run's keys (each run adds its number). */
  label: string;
  /** Commands per run, at most. */
  maxCommands: number;
  /** Whether providers may refuse after paying. */
  ambiguousRefusals: boolean;
  /** The `replayPath` a failure printed: with its seed and path, replays the shrunk commands. */
  replayPath?: string;
  /** Which commands are weighted up (test/model/commands.ts). @defaultValue 'all' */
  focus?: 'all' | 'review';
}

/** Every key a run wrote: its withdrawals', the indexes, the events and the budgets. */
async function deleteRun(sys: System): Promise<void> {
  const { keys } = sys;
  const names = [keys.events, keys.openAddresses, ...sys.owners.flatMap((o) => [keys.dailyBudget(o, sys.day), keys.ownerEvents(o)])];
  for (const p of PROVIDERS) for (const s of STATUSES) names.push(keys.statusSet(p, s));
  for (const c of sys.created) names.push(keys.record(c.id), keys.history(c.id), keys.paymentHash(c.paymentHash), keys.approvals(c.id), keys.resolveStart(c.id));
  for (const m of sys.lnurl.minted) names.push(keys.paymentHash(m.paymentHash));
  await sys.redis.unlink(...names);
}

/**
 * The property: whatever the commands and the scheduler's interleaving, once the run drains, the
 * ledger and the store satisfy every money invariant. A failure throws the invariants broken with
 * the withdrawals' histories and the run's journal.
 */
let runs = 0;

export function moneyProperty(opts: PropertyOptions) {
  const answers = DRAIN_ANSWERS.filter((b) => opts.ambiguousRefusals || !AMBIGUOUS_REFUSALS.includes(b));
  const plan: fc.Arbitrary<DrainPlan> = fc.record({
    pendingEnds: fc.array(fc.constantFrom('paid' as const, 'failed' as const), { minLength: 1, maxLength: 4 }),
    answers: fc.array(fc.constantFrom(...answers), { minLength: 1, maxLength: 5 }),
  });
  return fc.asyncProperty(fc.scheduler(), commandArbitrary(opts), plan, async (scheduler, cmds, drainPlan) => {
    const sys = buildSystem({ redis: opts.redis, prefix: `${opts.label}-${++runs}`, scheduler });
    try {
      await fc.asyncModelRun(() => ({ model: {}, real: sys }), cmds);
      await drain(sys, drainPlan);
      const { violations, records } = await findViolations(sys);
      if (violations.length > 0) throw new Error(report(sys, violations, records));
    } finally {
      await deleteRun(sys);
    }
  });
}
