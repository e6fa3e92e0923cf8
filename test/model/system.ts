import { DelayedError, RateLimitError, UnrecoverableError, WaitingError } from 'bullmq';
import type { Redis } from 'ioredis';
import type fc from 'fast-check';
import { createKeys, type Keys } from '../../src/keys.ts';
import { createLogger } from '../../src/logger.ts';
import { createSettleProcessor } from '../../src/queues/settle-processor.ts';
import { createSubmitProcessor } from '../../src/queues/submit-processor.ts';
import { partJobId } from '../../src/queues/names.ts';
import { lanesByName, type ProviderLane } from '../../src/queues/lane.ts';
import { createSweep } from '../../src/queues/sweep.ts';
import { createResolveStep } from '../../src/lnurl/submit-step.ts';
import { approveWithdrawal, cancelWithdrawal, resolveWithdrawal, type OperatorDeps } from '../../src/withdrawals/operator.ts';
import { createStore, utcDay, type WithdrawalStore } from '../../src/withdrawals/store.ts';
import { createConductor, WorkerCrash, type Operation } from './conductor.ts';
import { createFakeQueues, SETTLE, type FakeJob } from './queues.ts';
import { createLnurlServer } from './lnurl-server.ts';
import { createWorld } from './world.ts';

export const PROVIDERS = ['aurpay', 'turinpay'] as const;
const SETTLES_ON_SUBMIT: Record<string, boolean> = { aurpay: false, turinpay: true };
const OWNERS = ['shop-a', 'shop-b'] as const;
const OPERATORS = [
  { name: 'op-1', role: 'operator' as const },
  { name: 'op-2', role: 'operator' as const },
];
const OPERATOR = OPERATORS[0]!;
/** An on-chain round's reconciliation budget (a day in production), short enough for a run to spend. */
export const ADDRESS_RECONCILE_MS = 10_000;

export const POLL_MS = 1_000;
export const POLL_MAX_MS = 8_000;
/** How long reconciliation may go on after a withdrawal is accepted (its deadline). */
export const RECONCILE_MS = 20_000;
/** The fake queues report a job's state exactly, so the sweep needs no grace period. */
const LOST_SUBMIT_AFTER_MS = 0;
const ORPHAN_AFTER_MS = 0;
const SUBMIT_ATTEMPTS = 3;
const SUBMIT_BACKOFF_MS = 500;

export type Route = 'aurpay' | 'turinpay' | 'auto';

/** A withdrawal the model created, and what it expects of it. */
export interface Created {
  id: string;
  owner: string;
  amountMsat: bigint;
  paymentHash: string;
  held: boolean;
  route: Route;
  /** An on-chain address (TurinPay): no invoice, no expiry, at least two approvals. */
  onchain: boolean;
  /** A Lightning Address (`<id>@wallet.example`): its invoice is minted when a worker resolves it. */
  lnurl: boolean;
}

export type RedisFault = { method: 'read' | 'transition'; when: 'before' | 'after' };

export interface SystemOptions {
  redis: Redis;
  /** Unique per run: every key of the run lives under it. */
  prefix: string;
  scheduler: fc.Scheduler;
}

/** Unix ms the fake clock starts at: 01:00 UTC today, so a run stays within one budget day. */
function clockStart(): number {
  const d = new Date();
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), 1);
}

/**
 * The payout engine's real pieces (store, submit and settle processors, sweep, operators' actions)
 * wired to fake providers, in-memory queues and a fake clock, every operation run step by step
 * under the scheduler. The one place that knows the engine's constructors' signatures.
 */
export function buildSystem(opts: SystemOptions) {
  const journal: string[] = [];
  const note = (line: string) => journal.push(line);
  const start = clockStart();
  let nowMs = start;
  const clock = { now: () => nowMs, advance: (ms: number) => void (nowMs += ms) };
  const conductor = createConductor(opts.scheduler);
  const world = createWorld(conductor, PROVIDERS, note);
  const lnurl = createLnurlServer(conductor, clock.now, RECONCILE_MS, note, async (id) => {
    const rec = await store.read(id);
    return { invoice: rec?.invoice ?? null, attempts: rec?.attempts ?? 0 };
  });
  const fq = createFakeQueues({ providers: PROVIDERS, submitAttempts: SUBMIT_ATTEMPTS, now: clock.now });
  const queues = fq.queues;
  const keys: Keys = createKeys(opts.prefix);
  const logger = createLogger('silent');
  const store = createStore({ redis: opts.redis, keys, eventsMaxLen: 100, now: () => new Date(nowMs), providers: PROVIDERS });

  const redisFaults: RedisFault[] = [];
  /** The store as the workers, the sweep and operators see it: every call a step, some failing. */
  const gated = new Proxy(store, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      const method = String(prop);
      return async (...args: unknown[]) => {
        if (!conductor.inOperation()) return value.apply(target, args);
        const arg = args[1] as { from?: string; to?: string } | undefined;
        const what = method === 'transition' ? ` ${arg?.from}->${arg?.to}` : '';
        await conductor.step(`store.${method} ${String(args[0])}${what}`);
        const i = redisFaults.findIndex((f) => f.method === method);
        const fault = i >= 0 ? redisFaults.splice(i, 1)[0] : undefined;
        if (fault?.when === 'before') throw new Error(`Connection is closed. (before store.${method}${what})`);
        const out: unknown = await value.apply(target, args);
        if (fault?.when === 'after') throw new Error(`Connection is closed. (after store.${method}${what}: it was applied)`);
        return out;
      };
    },
  }) as WithdrawalStore;

  // Lightning Addresses are resolved by the real step (deadline kept in Redis, invoice stored once)
  // against the model's LNURL server.
  const resolveInvoice = createResolveStep({
    store: gated,
    settings: { dispatcher: undefined as never, timeoutMs: 1000, deadlineMs: RECONCILE_MS, allowPrivate: true, network: 'regtest', expiryMarginSeconds: 0, now: clock.now },
    reconcileGraceMs: 0,
    logger,
    resolve: (address, amountMsat) => lnurl.resolve(address, amountMsat),
  });
  // Each provider's lane as the workers build it, with the model's queues: refused credentials open
  // the breaker, which pauses the provider's queue; no budget; the breaker counts nothing else here.
  const lanes = lanesByName(
    PROVIDERS.map((provider): ProviderLane => ({
      name: provider,
      client: world.clients[provider]!,
      capabilities: { settlesOnSubmit: SETTLES_ON_SUBMIT[provider] ?? false },
      breaker: {
        record: async () => undefined,
        open: () => queues.submitQueue(provider).pause(),
        tick: async () => 'closed',
      },
      queue: { add: (id, round) => queues.addSubmit(provider, id, round) },
    })),
  );
  const processors: Record<string, (job: ReturnType<typeof fq.asJob>, token?: string) => Promise<string>> = {};
  for (const lane of lanes.values()) {
    processors[lane.name] = createSubmitProcessor({
      lane,
      lanes,
      store: gated,
      queues,
      logger,
      // The model's worker never closes; a Retry-After puts the job back (RateLimitError) and holds nothing.
      worker: { stopping: () => false, rateLimit: async () => undefined },
      // Each round's deadline is the invoice's expiry (the grace is none here), on the model's clock.
      settings: { pollMs: POLL_MS, reconcileGraceMs: 0, addressReconcileMs: ADDRESS_RECONCILE_MS },
      resolveInvoice,
      now: clock.now,
      // Tries to record "not sent" follow one another at once: the scheduler orders them.
      pause: () => Promise.resolve(),
    });
  }
  processors[SETTLE] = createSettleProcessor({ lanes, store: gated, logger, pollMs: POLL_MS, pollMaxMs: POLL_MAX_MS, now: clock.now });

  const sweep = createSweep({
    store: gated,
    queues,
    logger,
    lostSubmitAfterMs: LOST_SUBMIT_AFTER_MS,
    orphanAfterMs: ORPHAN_AFTER_MS,
    now: clock.now,
    providers: PROVIDERS,
    approvalExpiryMarginMs: 0,
  });

  const operatorDeps: OperatorDeps = {
    store: gated,
    queues,
    policy: { approvalThresholdMsat: null, approvalsRequired: 1, expiryMarginMs: 0, daily: { amountMsat: null, count: null } },
    now: clock.now,
  };

  /** What BullMQ does with a job after its processor returned or threw. */
  function finishJob(job: FakeJob, err: unknown): void {
    if (err instanceof DelayedError || err instanceof WaitingError) return;
    if (err instanceof RateLimitError) {
      job.state = 'waiting';
      return;
    }
    job.attemptsMade++;
    if (err instanceof UnrecoverableError || job.attemptsMade >= job.opts.attempts) {
      job.state = 'failed';
      return;
    }
    job.state = 'delayed';
    job.runAt = nowMs + SUBMIT_BACKOFF_MS * 2 ** (job.attemptsMade - 1);
  }

  const jobOf = new Map<Operation, FakeJob>();

  function runJob(job: FakeJob): Operation {
    job.state = 'active';
    const label = `${job.queue} ${job.id} (${'ids' in job.data ? job.data.ids.join(', ') : job.data.id})`;
    const { op } = conductor.spawn(label, async () => {
      const processor = processors[job.queue];
      if (!processor) throw new Error(`no processor for ${job.queue}`);
      try {
        const out = await processor(fq.asJob(job), 'token');
        job.state = 'completed';
        job.last = out;
        note(`${label} -> ${out}`);
      } catch (err) {
        if (err instanceof WorkerCrash) return;
        job.last = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
        finishJob(job, err);
        note(`${label} threw ${job.last} -> ${job.state}`);
      } finally {
        jobOf.delete(op);
      }
    });
    jobOf.set(op, job);
    return op;
  }

  function action(label: string, fn: () => Promise<unknown>): Operation {
    return conductor.spawn(label, async () => {
      try {
        const out = await fn();
        if (!idleSweep(out)) note(`${label} -> ${summary(out)}`);
      } catch (err) {
        if (err instanceof WorkerCrash) return;
        note(`${label} threw ${err instanceof Error ? err.message : String(err)}`);
      }
    }).op;
  }

  const created: Created[] = [];
  let parts = 0;
  /** Stores a withdrawal; one not held and in no batch part gets its own submit job. */
  async function storeOne(spec: { owner: string; held: boolean; route: Route; onchain?: boolean; lnurl?: boolean }, inPart?: { batchId: string; job: string }): Promise<Created> {
    const n = created.length + 1;
    const id = `w${n}`;
    const onchain = spec.onchain ?? false;
    const viaLnurl = !onchain && (spec.lnurl ?? false);
    // On-chain: TurinPay only, held for two approvals, no amount until the provider says what it moved.
    const route: Route = onchain ? 'turinpay' : spec.route;
    const held = onchain || spec.held;
    const provider = route === 'auto' ? 'aurpay' : route;
    const w: Created = {
      id,
      owner: spec.owner,
      amountMsat: onchain ? 0n : 1000n * BigInt(n),
      paymentHash: onchain ? `bcrt1model${id}` : `ph-${id}`,
      held,
      route,
      onchain,
      lnurl: viaLnurl,
    };
    const res = await store.create({
      id,
      owner: spec.owner,
      provider,
      bodyHash: `body-${id}`,
      invoice: onchain || viaLnurl ? null : `lnbcrt-${id}`,
      address: onchain ? w.paymentHash : null,
      ...(viaLnurl ? { lightningAddress: `${id}@wallet.example` } : {}),
      paymentHash: onchain || viaLnurl ? null : w.paymentHash,
      amountMsat: onchain ? null : w.amountMsat,
      sendAmountMsat: null,
      batchId: inPart?.batchId ?? null,
      job: inPart?.job ?? null,
      description: null,
      metadata: null,
      reconcileDeadline: nowMs + RECONCILE_MS,
      route: route === 'auto' ? ['aurpay', 'turinpay'] : null,
      routing: route === 'auto' ? 'auto: aurpay first' : null,
      initialStatus: held ? 'awaiting_approval' : 'queued',
      approvalsNeeded: onchain ? 2 : held ? 1 : 0,
      expiresAt: onchain || viaLnurl ? null : start + RECONCILE_MS,
    });
    if (res.kind !== 'created') throw new Error(`creating ${id} answered ${res.kind}`);
    created.push(w);
    if (!held && !inPart) await queues.addSubmit(provider, id, 0);
    note(`create ${id} owner=${spec.owner} route=${route}${onchain ? ' on-chain' : ''}${viaLnurl ? ' lightning-address' : ''}${held ? ' held' : ''}${inPart ? ` in ${inPart.batchId}` : ''}`);
    return w;
  }


  return {
    keys,
    redis: opts.redis,
    store,
    world,
    lnurl,
    fq,
    clock,
    conductor,
    journal,
    created,
    day: utcDay(new Date(start)),
    owners: OWNERS,
    create: (spec: { owner: string; held: boolean; route: Route; onchain?: boolean; lnurl?: boolean }) => storeOne(spec),
    /**
     * Withdrawals of one part of a batch (none held): stored, then one submit job per provider
     * carries them (src/withdrawals/batch-parts.ts).
     */
    async createPart(specs: { owner: string; route: Route; lnurl?: boolean }[]): Promise<Created[]> {
      const batchId = `b${++parts}`;
      const members = new Map<string, string[]>();
      const made: Created[] = [];
      for (const spec of specs) {
        const provider = spec.route === 'auto' ? 'aurpay' : spec.route;
        const w = await storeOne({ ...spec, held: false }, { batchId, job: partJobId(batchId, provider, 0) });
        members.set(provider, [...(members.get(provider) ?? []), w.id]);
        made.push(w);
      }
      for (const [provider, ids] of members) {
        await queues.addSubmitPart(provider, partJobId(batchId, provider, 0), ids);
        note(`part ${partJobId(batchId, provider, 0)}: ${ids.join(', ')}`);
      }
      return made;
    },
    runJob,
    sweep: () => action('sweep', sweep),
    approve: (id: string, operator = 0) => {
      const who = OPERATORS[operator % OPERATORS.length]!;
      return action(`approve ${id} by ${who.name}`, () => approveWithdrawal(operatorDeps, id, who, { note: 'checked' }));
    },
    cancel: (id: string) => action(`cancel ${id}`, () => cancelWithdrawal(operatorDeps, id, OPERATOR, undefined)),
    resolve: (id: string, outcome: 'succeeded' | 'failed' | 'resubmit') =>
      action(`resolve ${id} ${outcome}`, () => resolveWithdrawal(operatorDeps, id, OPERATOR, { outcome, note: 'reviewed against the provider' })),
    /** The worker running this operation dies: no further step, its job stalls. */
    crash(op: Operation): void {
      op.crashed = true;
      const job = jobOf.get(op);
      // maxStalledCount 0 on submit queues: a stalled submit job fails; a settle job goes back to wait.
      if (job) job.state = job.queue === SETTLE ? 'waiting' : 'failed';
      note(`crash #${op.seq} ${op.name}`);
    },
    failRedis(fault: RedisFault): void {
      redisFaults.push(fault);
    },
    clearRedisFaults(): void {
      redisFaults.length = 0;
    },
  };
}

/** A sweep report that restored nothing (not worth a journal line). */
function idleSweep(out: unknown): boolean {
  if (!out || typeof out !== 'object' || !('scanned' in out)) return false;
  const r = out as unknown as { requeued: number; lost: number; settleJobs: number; expired: number };
  return r.requeued + r.lost + r.settleJobs + r.expired === 0;
}

function summary(out: unknown): string {
  if (out && typeof out === 'object') {
    const o = out as { ok?: boolean; record?: { status?: string }; error?: { message?: string } };
    if (o.ok === true) return `ok (${o.record?.status ?? ''})`;
    if (o.ok === false) return `refused (${o.error?.message ?? ''})`;
    return JSON.stringify(out);
  }
  return String(out);
}

export type System = ReturnType<typeof buildSystem>;
