/**
 * The model-based test of the payout interleavings as a soak: random seeds until the time is up.
 *
 *   npm run soak -- --minutes 10                  # REDIS_URL, default redis://127.0.0.1:6379
 *   npm run soak -- --seed 42 --path "3:1:0" --replay-path "/:A" --commands 60   # replays one failure, shrunk
 *   npm run soak -- --minutes 10 --focus review   # only seeds weighted towards the operators' paths
 *
 * Prints the runs done and, for each failure, its seed and path and the broken invariants; exits 1
 * when anything failed.
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import fc from 'fast-check';
import { Redis } from 'ioredis';
import { moneyProperty } from './property.ts';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '5' },
    seed: { type: 'string' },
    path: { type: 'string' },
    'replay-path': { type: 'string' },
    'ambiguous-refusals': { type: 'string', default: 'yes' },
    commands: { type: 'string', default: '60' },
    'runs-per-seed': { type: 'string', default: '25' },
    focus: { type: 'string' },
  },
});

const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
const label = `soak-${randomUUID().slice(0, 8)}`;
type Focus = 'all' | 'review';
const propertyFor = (ambiguousRefusals: boolean, focus: Focus) =>
  moneyProperty({ redis, label, maxCommands: Number(values.commands), ambiguousRefusals, focus, replayPath: values['replay-path'] });
const focusGiven = (): Focus => (values.focus === 'review' ? 'review' : 'all');
/**
 * One seed's runs and the shrinking of a failure stop after this (fast-check's limit covers both);
 * the seed and path replay where it got to. A seed cut short with no counterexample is reported as
 * incomplete (a busy machine), never as a failure.
 */
const SEED_LIMIT_MS = 300_000;

/** fast-check's report (the commands and the scheduler's order), then the broken invariants and the journal. */
function describeFailure<T>(details: fc.RunDetails<T>): string {
  const err = details.errorInstance;
  return `${fc.defaultReportMessage(details) ?? ''}\n${err instanceof Error ? err.message : String(err)}`;
}

async function replay(seed: number, path: string | undefined): Promise<number> {
  const property = propertyFor(values['ambiguous-refusals'] !== 'no', focusGiven());
  const details = await fc.check(property, { seed, ...(path ? { path } : {}), endOnFailure: true, numRuns: Number(values['runs-per-seed']) });
  if (!details.failed) {
    console.log(`seed ${seed}${path ? ` path ${path}` : ''}: passes`);
    return 0;
  }
  console.log(describeFailure(details));
  return 1;
}

async function soak(minutes: number): Promise<number> {
  const until = Date.now() + minutes * 60_000;
  const runsPerSeed = Number(values['runs-per-seed']);
  let runs = 0;
  let seeds = 0;
  const failures: { seed: number; path: string }[] = [];
  const incomplete: number[] = [];
  while (Date.now() < until) {
    const seed = Math.floor(Math.random() * 2 ** 31);
    // Every other seed without refusals after payment, so that the paths behind them get searched too.
    const ambiguous = seeds % 2 === 0;
    // Every other pair of seeds weighted towards the operators' paths (unless --focus says which).
    const focus: Focus = values.focus ? focusGiven() : seeds % 4 >= 2 ? 'review' : 'all';
    seeds++;
    const details = await fc.check(propertyFor(ambiguous, focus), { seed, numRuns: runsPerSeed, skipAllAfterTimeLimit: SEED_LIMIT_MS });
    runs += details.numRuns;
    if (details.failed && details.counterexample === null) {
      // Every run left was skipped at the time limit: nothing was found, nothing was broken.
      incomplete.push(seed);
      console.log(`\nseed ${seed}: cut short after ${details.numRuns} runs at the ${SEED_LIMIT_MS / 1000} s limit (no counterexample)`);
    } else if (details.failed) {
      const path = details.counterexamplePath ?? '';
      const replayPath = /replayPath="([^"]*)"/.exec(fc.defaultReportMessage(details) ?? '')?.[1] ?? '';
      failures.push({ seed, path });
      const args = `--seed ${seed} --path "${path}" --replay-path "${replayPath}" --commands ${values.commands} --runs-per-seed ${runsPerSeed} --ambiguous-refusals ${ambiguous ? 'yes' : 'no'} --focus ${focus}`;
      console.log(`\nFAILURE seed ${seed} path ${path}\nreplay: npm run soak -- ${args}`);
      console.log(describeFailure(details));
    }
    process.stdout.write(`\r${runs} runs, ${seeds} seeds, ${failures.length} failing`);
  }
  const cut = incomplete.length > 0 ? ` (${incomplete.length} seeds cut short by the time limit)` : '';
  console.log(`\n${runs} runs in ${minutes} min over ${seeds} seeds; ${failures.length} failing${cut}`);
  for (const f of failures) console.log(`  seed ${f.seed} path ${f.path}`);
  return failures.length > 0 ? 1 : 0;
}

try {
  process.exitCode = values.seed !== undefined ? await replay(Number(values.seed), values.path) : await soak(Number(values.minutes));
} finally {
  redis.disconnect();
}
