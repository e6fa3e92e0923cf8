import fc from 'fast-check';
import { PROVIDERS, type Route, type System } from './system.ts';
import { LNURL_BEHAVIOURS } from './lnurl-server.ts';
import { SUBMIT_BEHAVIOURS, type SubmitBehaviour } from './world.ts';

/** The model's own state: none is needed beyond the system's, which each command reads. */
export type Model = object;
type Cmd = fc.AsyncCommand<Model, System, false>;

/** Picks the `pick`-th element, wrapping around; undefined for an empty list. */
function nth<T>(list: readonly T[], pick: number): T | undefined {
  return list.length === 0 ? undefined : list[pick % list.length];
}

/** A command that always applies (it does nothing when its target does not exist). */
function command(label: string, run: (sys: System) => Promise<void> | void): Cmd {
  return {
    check: () => true,
    async run(_m, sys) {
      sys.journal.push(`> ${label}`);
      await run(sys);
      await sys.conductor.quiet();
    },
    toString: () => label,
  };
}

const provider = fc.constantFrom(...PROVIDERS);
const pick = fc.nat({ max: 15 });

/**
 * Creates a withdrawal; one in `onchainOneIn` is an on-chain one (held for two approvals), and one in
 * four of the others pays a Lightning Address.
 */
const createWith = (onchainOneIn: number) =>
  fc
    .record({
      owner: fc.constantFrom('shop-a', 'shop-b'),
      held: fc.nat({ max: 4 }).map((n) => n === 0),
      route: fc.constantFrom<Route>('auto', 'auto', 'aurpay', 'turinpay'),
      onchain: fc.nat({ max: onchainOneIn - 1 }).map((n) => n === 0),
      lnurl: fc.nat({ max: 3 }).map((n) => n === 0),
    })
    .map(({ owner, held, route, onchain, lnurl }) =>
      command(`create(${owner}, ${onchain ? 'on-chain' : route}${lnurl && !onchain ? ', lightning address' : ''}${held ? ', held' : ''})`, async (sys) => {
        await sys.create({ owner, held, route, onchain, lnurl });
      }),
    );

/** Creates two or three withdrawals of one batch part: one submit job per provider carries them. */
const createPart = fc
  .array(
    fc.record({
      owner: fc.constantFrom('shop-a', 'shop-b'),
      route: fc.constantFrom<Route>('auto', 'auto', 'aurpay', 'turinpay'),
      lnurl: fc.nat({ max: 5 }).map((n) => n === 0),
    }),
    { minLength: 2, maxLength: 3 },
  )
  .map((specs) =>
    command(`createPart(${specs.map((s) => `${s.owner} ${s.route}${s.lnurl ? ' lightning address' : ''}`).join('; ')})`, async (sys) => {
      await sys.createPart(specs);
    }),
  );

/** The next invoice request a Lightning Address server receives: minted, refused, unanswered, or cut by a stopping worker. */
const lnurlAnswer = fc.constantFrom(...LNURL_BEHAVIOURS).map((b) => command(`lnurl(${b})`, (sys) => sys.lnurl.arm(b)));

/** Lets the scheduler fire `n` parked steps, each running until the system is quiet again. */
const steps = fc.integer({ min: 1, max: 6 }).map((n) =>
  command(`step x${n}`, async (sys) => {
    for (let i = 0; i < n; i++) if (!(await sys.conductor.advance())) break;
  }),
);

/** Lets every parked step run, in the scheduler's order, until nothing is parked (bounded). */
const runAll = fc.constant(
  command('run all parked', async (sys) => {
    for (let i = 0; i < 200; i++) if (!(await sys.conductor.advance())) break;
  }),
);

const runJob = pick.map((k) =>
  command(`runJob(${k})`, (sys) => {
    const job = nth(sys.fq.runnable(sys.clock.now()), k);
    if (job) sys.runJob(job);
  }),
);

const sweep = fc.constant(command('sweep', (sys) => void sys.sweep()));

const approve = fc.tuple(pick, fc.nat({ max: 1 })).map(([k, operator]) =>
  command(`approve(${k}, op-${operator + 1})`, (sys) => {
    const w = nth(sys.created.filter((c) => c.held), k);
    if (w) sys.approve(w.id, operator);
  }),
);

const cancel = pick.map((k) =>
  command(`cancel(${k})`, (sys) => {
    const w = nth(sys.created, k);
    if (w) sys.cancel(w.id);
  }),
);

/**
 * An operator who checks both providers before deciding: paid somewhere is `succeeded`, pending
 * somewhere waits, nothing paid is `failed` or a resubmit. Any payment that follows is the engine's.
 */
const resolve = fc.tuple(pick, fc.constantFrom('failed', 'resubmit') as fc.Arbitrary<'failed' | 'resubmit'>).map(([k, choice]) =>
  command(`resolve(${k}, ${choice} unless paid)`, async (sys) => {
    const reviewed: string[] = [];
    for (const c of sys.created) if ((await sys.store.read(c.id))?.status === 'needs_review') reviewed.push(c.id);
    const id = nth(reviewed, k);
    if (!id) return;
    const txs = sys.world.payments.filter((t) => t.withdrawalId === id);
    if (txs.some((t) => t.status === 'pending')) return;
    sys.resolve(id, txs.some((t) => t.status === 'paid') ? 'succeeded' : choice);
  }),
);

const clock = fc.constantFrom(500, 2_000, 6_000, 30_000).map((ms) => command(`clock +${ms}ms`, (sys) => sys.clock.advance(ms)));

const crash = pick.map((k) =>
  command(`crash(${k})`, (sys) => {
    const op = nth(sys.conductor.operations().filter((o) => !o.crashed), k);
    if (op) sys.crash(op);
  }),
);

function arm(behaviours: readonly SubmitBehaviour[]) {
  return fc.tuple(provider, fc.constantFrom(...behaviours)).map(([p, b]) => command(`arm(${p}, ${b})`, (sys) => sys.world.arm(p, b)));
}

const lookupError = fc.tuple(provider, fc.integer({ min: 1, max: 4 })).map(([p, n]) => command(`lookupError(${p}, x${n})`, (sys) => sys.world.failLookups(p, n)));

const redisFault = fc.tuple(fc.constantFrom('read', 'transition') as fc.Arbitrary<'read' | 'transition'>, fc.constantFrom('before', 'after') as fc.Arbitrary<'before' | 'after'>).map(
  ([method, when]) => command(`redisFault(${method}, ${when})`, (sys) => sys.failRedis({ method, when })),
);

const providerSettles = fc.tuple(pick, fc.constantFrom('paid', 'failed') as fc.Arbitrary<'paid' | 'failed'>).map(([k, to]) =>
  command(`providerSettles(${k}, ${to})`, (sys) => {
    const tx = nth(sys.world.pendingPayments(), k);
    if (!tx) return;
    sys.world.settle(tx, to);
    sys.journal.push(`${tx.provider} settles ${tx.ref} (${tx.withdrawalId}) ${to}`);
  }),
);

const releaseHang = pick.map((k) =>
  command(`releaseHang(${k})`, (sys) => {
    nth(sys.world.openHangs(), k)?.release();
  }),
);

const balance = fc.tuple(provider, fc.boolean()).map(([p, out]) =>
  command(`${p} ${out ? 'runs out of balance' : 'is refilled'}`, (sys) => {
    if (out) sys.world.outOfBalance.add(p);
    else sys.world.outOfBalance.delete(p);
  }),
);

/** A stray submit job for a withdrawal, in any provider's queue: it must never pay what its record does not route there. */
const stray = fc.tuple(pick, provider).map(([k, p]) =>
  command(`strayJob(${k}, ${p})`, (sys) => {
    const w = nth(sys.created, k);
    if (w) sys.fq.addStray(p, w.id);
  }),
);

const resumeQueue = provider.map((p) => command(`resume(${p})`, (sys) => void sys.fq.paused.delete(p)));

/** Refusals that follow a payment: the provider paid, then answered as if it had not. */
export const AMBIGUOUS_REFUSALS: readonly SubmitBehaviour[] = ['refuse_after_paying'];

export interface CommandOptions {
  maxCommands: number;
  /** Whether providers may refuse after paying (the engine takes any refusal as "nothing sent"). */
  ambiguousRefusals: boolean;
  /** fast-check's replayPath of a failure, to replay its shrunk commands. */
  replayPath?: string;
  /**
   * `all` (default): every command, mostly jobs and provider answers. `review`: the operators' paths
   * weighted up (on-chain withdrawals with their approvals, reconciliation running out, providers
   * settling late, resolve with resubmit), so that long chains through `needs_review` get searched too.
   */
  focus?: 'all' | 'review';
}

/** Every command, weighted so that runs mostly run jobs, step through them and arm provider answers. */
export function commandArbitrary(opts: CommandOptions): fc.Arbitrary<Iterable<Cmd>> {
  // Refusals twice as likely: they are what moves an `auto` withdrawal to the next provider.
  const behaviours = [...SUBMIT_BEHAVIOURS, 'refuse' as const].filter((b) => opts.ambiguousRefusals || !AMBIGUOUS_REFUSALS.includes(b));
  const armed = arm(behaviours);
  const weighted: [fc.Arbitrary<Cmd>, number][] =
    opts.focus === 'review'
      ? [
          [createWith(2), 2],
          [createPart, 1],
          [steps, 3],
          [runAll, 2],
          [runJob, 4],
          [sweep, 1],
          [approve, 4],
          [cancel, 1],
          [resolve, 4],
          [clock, 4],
          [crash, 1],
          [armed, 4],
          [lookupError, 1],
          [redisFault, 1],
          [providerSettles, 4],
          [releaseHang, 1],
          [stray, 1],
          [lnurlAnswer, 1],
        ]
      : [
          [createWith(6), 2],
          [createPart, 1],
          [steps, 4],
          [runAll, 2],
          [runJob, 4],
          [sweep, 2],
          [approve, 1],
          [cancel, 1],
          [resolve, 2],
          [clock, 3],
          [crash, 1],
          [armed, 4],
          [lookupError, 1],
          [redisFault, 1],
          [providerSettles, 2],
          [releaseHang, 1],
          [balance, 1],
          [resumeQueue, 1],
          [stray, 1],
          [lnurlAnswer, 1],
        ];
  return fc.commands(
    weighted.flatMap(([a, n]) => Array.from({ length: n }, () => a)),
    { maxCommands: opts.maxCommands, size: 'max', ...(opts.replayPath ? { replayPath: opts.replayPath } : {}) },
  );
}
