import type { Status } from '../../src/withdrawals/status.ts';
import type { System } from './system.ts';
import { SUBMIT_BEHAVIOURS, type SubmitBehaviour } from './world.ts';

const ROUNDS = 40;
const ROUND_CLOCK_MS = 10_000;
/** Providers keep payments pending this many rounds, so that reconciliation deadlines pass first. */
const PENDING_ROUNDS = 4;
/** From this round on, providers answer plainly (accept, pending) and lookups stop failing. */
const FAULTS_END_ROUND = 12;
const MAX_STEPS = 20_000;

/** Where a withdrawal may rest once nothing more happens on its own. */
export const AT_REST: readonly Status[] = ['succeeded', 'failed', 'cancelled', 'needs_review', 'awaiting_approval'];

/** How the world ends a run: what providers make of the payments still pending, in turn. */
export interface DrainPlan {
  pendingEnds: readonly ('paid' | 'failed')[];
  /** What providers answer submits with during the drain, in turn (none of them hangs). */
  answers: readonly SubmitBehaviour[];
}

/** The answers a drain may plan: every one that comes back on its own. */
export const DRAIN_ANSWERS: readonly SubmitBehaviour[] = SUBMIT_BEHAVIOURS.filter(
  // Hangs wait for a release, and 429s and refused credentials pause the queue: none comes back on its own.
  (b) => !['hang', 'hang_after_paying', 'rate_limited', 'auth_error'].includes(b),
);

async function runParked(sys: System, budget: { steps: number }): Promise<void> {
  while (budget.steps > 0 && (await sys.conductor.advance())) budget.steps--;
}

/**
 * The informed operator's pass over `needs_review`: paid at a provider is `succeeded`, pending
 * waits, nothing paid is resubmitted once, then `failed`.
 */
async function review(sys: System, resubmitted: Set<string>): Promise<number> {
  let acted = 0;
  for (const c of sys.created) {
    if ((await sys.store.read(c.id))?.status !== 'needs_review') continue;
    const txs = sys.world.payments.filter((t) => t.withdrawalId === c.id);
    if (txs.some((t) => t.status === 'pending')) continue;
    if (txs.some((t) => t.status === 'paid')) sys.resolve(c.id, 'succeeded');
    else if (resubmitted.has(c.id)) sys.resolve(c.id, 'failed');
    else {
      resubmitted.add(c.id);
      sys.resolve(c.id, 'resubmit');
    }
    acted++;
  }
  return acted;
}

async function inFlight(sys: System): Promise<number> {
  let n = 0;
  for (const c of sys.created) {
    const w = await sys.store.read(c.id);
    if (!w || !AT_REST.includes(w.status)) n++;
  }
  return n;
}

/**
 * The end of a run: faults stop, hanging calls answer, workers, sweeps and an informed operator
 * run side by side (the scheduler interleaving them) while the clock moves past every deadline,
 * providers finishing pending payments after a few rounds, until nothing is left in flight.
 */
export async function drain(sys: System, plan: DrainPlan): Promise<void> {
  sys.journal.push(`> drain (submits answered ${plan.answers.join(', ')}; pending payments end ${plan.pendingEnds.join(', ')}; in turn)`);
  sys.world.answerInTurn(plan.answers);
  let settled = 0;
  sys.clearRedisFaults();
  const budget = { steps: MAX_STEPS };
  const resubmitted = new Set<string>();
  for (let round = 0; round < ROUNDS && budget.steps > 0; round++) {
    if (round === FAULTS_END_ROUND) {
      sys.world.disarm();
      sys.lnurl.disarm();
      sys.world.answerInTurn([]);
      sys.journal.push('> providers answer plainly from now on');
    }
    for (const h of sys.world.openHangs()) h.release();
    await sys.conductor.quiet();
    if (round >= PENDING_ROUNDS) {
      for (const tx of sys.world.pendingPayments()) {
        const to = plan.pendingEnds[settled++ % plan.pendingEnds.length] ?? 'paid';
        sys.world.settle(tx, to);
        sys.journal.push(`${tx.provider} settles ${tx.ref} (${tx.withdrawalId}) ${to}`);
      }
    }
    sys.fq.paused.clear();
    const jobs = sys.fq.runnable(sys.clock.now());
    for (const job of jobs) sys.runJob(job);
    sys.sweep();
    const reviewed = await review(sys, resubmitted);
    await runParked(sys, budget);
    const quiet = jobs.length === 0 && reviewed === 0 && sys.world.openHangs().length === 0;
    if (quiet && round >= FAULTS_END_ROUND && sys.fq.runnable(sys.clock.now()).length === 0 && (await inFlight(sys)) === 0) break;
    sys.clock.advance(ROUND_CLOCK_MS);
  }
  // What is still pending at a provider is money on its way: count it as paid.
  for (const tx of sys.world.pendingPayments()) {
    sys.world.settle(tx, 'paid');
    sys.journal.push(`${tx.provider} settles ${tx.ref} (${tx.withdrawalId}) paid`);
  }
}
