import { RateLimitError, WaitingError, type Job } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/logger.ts';
import type { LookupOutcome, ProviderClient, SubmitOutcome, SubmitRequest } from '../../../src/providers/types.ts';
import { lanesByName, type ProviderLane } from '../../../src/queues/lane.ts';
import { createSubmitProcessor, NotSentError, type SubmitDeps } from '../../../src/queues/submit-processor.ts';
import type { TransitionRequest, TransitionResult } from '../../../src/withdrawals/store.ts';
import type { Withdrawal } from '../../../src/withdrawals/withdrawal.ts';
import { fakeLane } from '../../support/fake-lane.ts';

/**
 * The submit processor's fence, stop, refusal and failover paths, against an in-memory store that
 * keeps the script's rules (status, fence and provider checked; final states kept) and a client
 * whose answers each test sets. Every test counts the provider calls: the one number that is money.
 */

function withdrawal(over: Partial<Withdrawal> = {}): Withdrawal {
  return {
    id: 'w1',
    owner: 'shop',
    provider: 'aurpay',
    status: 'queued',
    bodyHash: 'h',
    invoice: 'lnbcrt10u1...',
    address: null,
    paymentHash: 'ph-w1',
    description: null,
    amountMsat: 1_000_000n,
    sendAmountMsat: null,
    feeMsat: null,
    providerRef: null,
    batchId: null,
    fence: null,
    round: 0,
    attempts: 0,
    reconcileDeadline: null,
    expiresAt: Date.now() + 3_600_000,
    route: [],
    tried: [],
    createdAt: new Date().toISOString(),
    updatedAt: new Date().toISOString(),
    ...over,
  };
}

/** The store's part a submit uses, holding one record and the script's checks. */
function fakeStore(rec: Withdrawal, opts: { unapproved?: boolean; failWrites?: number; loseAnswers?: number } = {}) {
  const state = { rec: { ...rec }, history: [] as TransitionRequest[], writes: 0, failWrites: opts.failWrites ?? 0, loseAnswers: opts.loseAnswers ?? 0 };
  return {
    state,
    async read(id: string) {
      return id === state.rec.id ? { ...state.rec } : null;
    },
    async transition(id: string, t: TransitionRequest): Promise<TransitionResult> {
      state.writes++;
      if (state.failWrites > 0) {
        state.failWrites--;
        throw new Error('Connection is closed.');
      }
      const r = state.rec;
      if (id !== r.id) return { ok: false, reason: 'missing', current: null };
      if (t.provider !== undefined && t.provider !== r.provider) return { ok: false, reason: 'wrong_provider', current: r.status };
      if (r.status !== t.from) return { ok: false, reason: 'conflict', current: r.status };
      if (t.fence !== undefined && t.fence !== r.fence) return { ok: false, reason: 'fenced', current: r.status };
      if (t.from === 'queued' && t.to === 'submitting' && opts.unapproved) return { ok: false, reason: 'unapproved', current: r.status };
      state.history.push(t);
      const change = (t.change ?? {}) as Partial<Withdrawal>;
      state.rec = { ...r, ...change, status: t.to, provider: t.toProvider ?? r.provider, fence: t.newFence ?? r.fence, attempts: r.attempts + (t.countAttempt ? 1 : 0) };
      if (state.loseAnswers > 0) {
        state.loseAnswers--;
        throw new Error('Connection is closed.');
      }
      return { ok: true };
    },
  };
}

function fakeClient(answer: SubmitOutcome | (() => SubmitOutcome), lookup: LookupOutcome = { kind: 'not_found', reason: 'no such payment' }) {
  const calls: SubmitRequest[] = [];
  const lookups: string[] = [];
  const client: ProviderClient = {
    name: 'aurpay',
    async submit(req) {
      calls.push(req);
      return typeof answer === 'function' ? answer() : answer;
    },
    async lookup(req) {
      lookups.push(req.paymentHash ?? '');
      return lookup;
    },
  };
  return { client, calls, lookups };
}

function job(attemptsMade = 0, attempts = 3) {
  const moved: string[] = [];
  const j = { id: 'job-1', data: { id: 'w1' }, attemptsMade, opts: { attempts }, moveToWait: async (token?: string) => void moved.push(token ?? '') };
  return { job: j as unknown as Job, moved };
}

/** A client for tests that must never reach the provider: its submits land in `submits`. */
const submits: SubmitRequest[] = [];
function client0(): ProviderClient {
  return { name: 'aurpay', submit: async (r) => (submits.push(r), { kind: 'unknown', reason: 'must not be called' }), lookup: async () => ({ kind: 'not_found', reason: '' }) };
}

const accepted: SubmitOutcome = { kind: 'accepted', status: 'pending', providerRef: 'tx-1', feeMsat: 5n, raw: {} };
const refused: SubmitOutcome = { kind: 'rejected', message: 'insufficient balance', raw: { code: 2 } };

/** What a test changes of the processor's collaborators: its lane, the enabled lanes, the worker. */
interface Setup {
  lane?: Partial<ProviderLane>;
  /** The providers with a lane here (default both): where a withdrawal may fail over to. */
  enabled?: readonly string[];
  stopping?: boolean;
}

/** The processor of aurpay's lane; turinpay's lane is the failover target, its client never called. */
function deps(store: ReturnType<typeof fakeStore>, client: ProviderClient, setup: Setup = {}) {
  const settles: string[] = [];
  const rateLimits: number[] = [];
  const own = fakeLane(client, setup.lane);
  const next = fakeLane({ ...client0(), name: 'turinpay' });
  const enabled = setup.enabled ?? ['aurpay', 'turinpay'];
  const failovers: string[] = [];
  const d: SubmitDeps = {
    lane: own.lane,
    lanes: lanesByName([own.lane, next.lane].filter((l) => enabled.includes(l.name))),
    store,
    queues: { addSettle: async (id) => void settles.push(id) },
    worker: { stopping: () => setup.stopping ?? false, rateLimit: async (ms) => void rateLimits.push(ms) },
    logger: createLogger('silent'),
    observe: { failover: (from, to) => void failovers.push(`${from}>${to}`) },
    settings: { pollMs: 1000, unfenceForMs: 1000 },
    pause: async () => undefined,
  };
  return { d, settles, rateLimits, failovers, own, next, requeued: next.added };
}

describe('the submit processor', () => {
  it('fences, calls the provider once, records submitted and schedules the settle check', async () => {
    const store = fakeStore(withdrawal());
    const { client, calls } = fakeClient(accepted);
    const { d, settles } = deps(store, client);
    expect(await createSubmitProcessor(d)(job().job)).toBe('submitted');
    expect(calls).toHaveLength(1);
    expect(store.state.rec).toMatchObject({ status: 'submitted', providerRef: 'tx-1', feeMsat: 5n, attempts: 1 });
    expect(store.state.history.map((t) => `${t.from}>${t.to}`)).toEqual(['queued>submitting', 'submitting>submitted']);
    expect(store.state.history[0]?.provider).toBe('aurpay');
    expect(store.state.history[0]?.cause).toMatch(/submit attempt via aurpay/);
    expect(settles).toEqual(['w1']);
  });

  it('calls nothing for a record that is not queued', async () => {
    const store = fakeStore(withdrawal({ status: 'submitted' }));
    const { client, calls } = fakeClient(accepted);
    expect(await createSubmitProcessor(deps(store, client).d)(job().job)).toBe('skipped: submitted');
    expect(calls).toHaveLength(0);
    // Not even a fence is tried.
    expect(store.state.writes).toBe(0);
  });

  it("calls nothing for a record routed to another provider (another queue's job after a failover)", async () => {
    const store = fakeStore(withdrawal({ provider: 'turinpay' }));
    const { client, calls } = fakeClient(accepted);
    expect(await createSubmitProcessor(deps(store, client).d)(job().job)).toBe('skipped: routed to turinpay');
    expect(calls).toHaveLength(0);
    expect(store.state.writes).toBe(0);
  });

  it('calls nothing when the fence answers wrong_provider (the record moved between read and fence)', async () => {
    const store = fakeStore(withdrawal());
    const { client, calls } = fakeClient(accepted);
    const original = store.read;
    // The read sees aurpay; by the fence a failover has routed it to turinpay.
    store.read = async (id) => {
      const r = await original(id);
      store.state.rec = { ...store.state.rec, provider: 'turinpay' };
      return r;
    };
    expect(await createSubmitProcessor(deps(store, client).d)(job().job)).toBe('skipped: wrong_provider');
    expect(calls).toHaveLength(0);
    expect(store.state.rec.status).toBe('queued');
  });

  it('calls nothing when the fence finds the approvals missing', async () => {
    const store = fakeStore(withdrawal(), { unapproved: true });
    const { client, calls } = fakeClient(accepted);
    expect(await createSubmitProcessor(deps(store, client).d)(job().job)).toBe('skipped: unapproved');
    expect(calls).toHaveLength(0);
  });

  it('makes no call when the fence write gets no answer, and records "not sent" once Redis answers', async () => {
    // The fence is written but its answer lost (Redis died); the first "not sent" write fails too.
    const store = fakeStore(withdrawal(), { loseAnswers: 1 });
    const original = store.transition;
    let failedOnce = false;
    store.transition = async (id, t) => {
      if (t.to === 'queued' && !failedOnce) {
        failedOnce = true;
        throw new Error('Connection is closed.');
      }
      return original(id, t);
    };
    const run = createSubmitProcessor(deps(store, client0()).d)(job().job);
    await expect(run).rejects.toThrow('Connection is closed.');
    expect(submits).toHaveLength(0);
    expect(store.state.rec).toMatchObject({ status: 'queued', attempts: 1 });
    expect(store.state.history.at(-1)?.cause).toMatch(/not sent: Redis did not confirm the fence; aurpay was not called/);
  });

  it('puts the job back without a call when the worker began stopping after the fence', async () => {
    const store = fakeStore(withdrawal());
    const { client, calls } = fakeClient(accepted);
    const { job: j, moved } = job();
    await expect(createSubmitProcessor(deps(store, client, { stopping: true }).d)(j, 'lock-token')).rejects.toBeInstanceOf(WaitingError);
    expect(calls).toHaveLength(0);
    expect(moved).toEqual(['lock-token']);
    expect(store.state.rec.status).toBe('queued');
    expect(store.state.history.at(-1)?.cause).toMatch(/worker is stopping/);
  });

  it("over its lane's budget: holds the queue, gives the job back before the record is touched", async () => {
    const store = fakeStore(withdrawal());
    const { client, calls } = fakeClient(accepted);
    const { d, rateLimits } = deps(store, client, { lane: { budget: { take: async () => 40 } } });
    await expect(createSubmitProcessor(d)(job().job)).rejects.toBeInstanceOf(RateLimitError);
    expect(calls).toHaveLength(0);
    expect(store.state.writes).toBe(0);
    // Never less than a tenth of a second.
    expect(rateLimits).toEqual([100]);
  });

  it("within its lane's budget: pays at once", async () => {
    const store = fakeStore(withdrawal());
    const { client, calls } = fakeClient(accepted);
    const { d, rateLimits } = deps(store, client, { lane: { budget: { take: async () => 0 } } });
    expect(await createSubmitProcessor(d)(job().job)).toBe('submitted');
    expect(calls).toHaveLength(1);
    expect(rateLimits).toEqual([]);
  });

  it('a refusal the lookup confirms (no payment) fails over to the next provider of an auto route, and calls no one else', async () => {
    const store = fakeStore(withdrawal({ route: ['aurpay', 'turinpay'] }));
    const { client, calls, lookups } = fakeClient(refused);
    const { d, requeued } = deps(store, client);
    expect(await createSubmitProcessor(d)(job().job)).toBe('failover: turinpay');
    expect(calls).toHaveLength(1);
    expect(lookups).toEqual(['ph-w1']);
    expect(store.state.rec).toMatchObject({ status: 'queued', provider: 'turinpay', tried: ['aurpay'] });
    expect(requeued).toEqual(['turinpay:w1:0']);
  });

  it('a refusal contradicted by a lookup that finds the payment made ends succeeded, with no failover', async () => {
    const store = fakeStore(withdrawal({ route: ['aurpay', 'turinpay'] }));
    const paid: LookupOutcome = { kind: 'found', status: 'succeeded', providerRef: 'tx-earlier', feeMsat: 3n, raw: {} };
    const { client, calls } = fakeClient({ kind: 'rejected', message: 'already paid', raw: {} }, paid);
    const { d, requeued } = deps(store, client);
    expect(await createSubmitProcessor(d)(job().job)).toBe('succeeded');
    expect(calls).toHaveLength(1);
    expect(store.state.rec).toMatchObject({ status: 'succeeded', provider: 'aurpay', providerRef: 'tx-earlier' });
    expect(requeued).toEqual([]);
  });

  it('a refusal whose lookup fails goes to reconciliation (unknown), never elsewhere', async () => {
    const store = fakeStore(withdrawal({ route: ['aurpay', 'turinpay'] }));
    const { client } = fakeClient(refused, { kind: 'error', reason: 'timeout' });
    const { d, requeued, settles } = deps(store, client);
    expect(await createSubmitProcessor(d)(job().job)).toBe('unknown');
    expect(store.state.rec.status).toBe('unknown');
    expect(store.state.rec.provider).toBe('aurpay');
    expect(requeued).toEqual([]);
    expect(settles).toEqual(['w1']);
  });

  it('a refusal listed as proof of nothing sent skips the lookup and ends failed on a named provider', async () => {
    const store = fakeStore(withdrawal());
    const { client, lookups } = fakeClient(refused);
    const { d } = deps(store, client, { lane: { refusalProvesNotSent: () => true } });
    expect(await createSubmitProcessor(d)(job().job)).toBe('failed');
    expect(lookups).toEqual([]);
    expect(store.state.rec.status).toBe('failed');
  });

  it('refused credentials pause the provider but do not fail over, unless its definition says so', async () => {
    const auth: SubmitOutcome = { kind: 'not_sent', reason: 'HTTP 403', authError: true };
    const stays = fakeStore(withdrawal({ route: ['aurpay', 'turinpay'] }));
    const a = deps(stays, fakeClient(auth).client);
    await expect(createSubmitProcessor(a.d)(job().job)).rejects.toBeInstanceOf(RateLimitError);
    expect(stays.state.rec).toMatchObject({ status: 'queued', provider: 'aurpay' });
    expect(a.requeued).toEqual([]);
    expect(a.own.opened).toEqual(['credentials refused: HTTP 403']);

    const moves = fakeStore(withdrawal({ route: ['aurpay', 'turinpay'] }));
    const b = deps(moves, fakeClient(auth).client, { lane: { authErrorFailsOver: true } });
    expect(await createSubmitProcessor(b.d)(job().job)).toBe('failover: turinpay');
    expect(b.requeued).toEqual(['turinpay:w1:0']);
    // What refused credentials do to the provider (pause it) still happens.
    expect(b.own.opened).toEqual(['credentials refused: HTTP 403']);
  });

  it('an unknown answer goes to reconciliation and never fails over', async () => {
    const store = fakeStore(withdrawal({ route: ['aurpay', 'turinpay'] }));
    const { client } = fakeClient({ kind: 'unknown', reason: 'socket hang up' });
    const { d, requeued } = deps(store, client);
    expect(await createSubmitProcessor(d)(job(2, 3).job)).toBe('unknown');
    expect(store.state.rec).toMatchObject({ status: 'unknown', provider: 'aurpay' });
    expect(requeued).toEqual([]);
  });

  it('an outcome that arrives after the sweep fenced the attempt off changes nothing', async () => {
    const store = fakeStore(withdrawal());
    const { client, calls } = fakeClient(() => {
      // While the call is out, the sweep declares the attempt lost.
      store.state.rec = { ...store.state.rec, status: 'unknown', fence: null };
      return accepted;
    });
    expect(await createSubmitProcessor(deps(store, client).d)(job().job)).toBe('fenced: unknown');
    expect(calls).toHaveLength(1);
    expect(store.state.rec.status).toBe('unknown');
  });
  it('a stale fence records nothing: another attempt re-fenced the record while the call was out', async () => {
    const store = fakeStore(withdrawal());
    const { client, calls } = fakeClient(() => {
      // Still `submitting`, but under another attempt's fence.
      store.state.rec = { ...store.state.rec, fence: 'another-attempt' };
      return accepted;
    });
    const { d, settles } = deps(store, client);
    expect(await createSubmitProcessor(d)(job().job)).toBe('fenced: submitting');
    expect(calls).toHaveLength(1);
    expect(store.state.rec).toMatchObject({ status: 'submitting', fence: 'another-attempt', providerRef: null });
    expect(settles).toEqual([]);
  });

  it("feeds its lane's breaker the outcome once it is recorded", async () => {
    const store = fakeStore(withdrawal());
    const unknown: SubmitOutcome = { kind: 'unknown', reason: 'socket hang up' };
    const { client } = fakeClient(unknown);
    const { d, own } = deps(store, client);
    expect(await createSubmitProcessor(d)(job().job)).toBe('unknown');
    expect(own.recorded).toEqual([unknown]);
  });

  it('a Retry-After holds the whole queue for that long and gives the job back, attempt not spent', async () => {
    const store = fakeStore(withdrawal());
    const { client } = fakeClient({ kind: 'not_sent', reason: 'HTTP 429', retryAfterMs: 2500 });
    const { d, rateLimits, own } = deps(store, client);
    await expect(createSubmitProcessor(d)(job().job)).rejects.toBeInstanceOf(RateLimitError);
    expect(rateLimits).toEqual([2500]);
    expect(own.opened).toEqual([]);
    expect(store.state.rec.status).toBe('queued');
  });

  it('a plain not-sent answer is retried with backoff', async () => {
    const store = fakeStore(withdrawal());
    const { client } = fakeClient({ kind: 'not_sent', reason: 'connection refused' });
    const { d, rateLimits } = deps(store, client);
    await expect(createSubmitProcessor(d)(job().job)).rejects.toBeInstanceOf(NotSentError);
    expect(rateLimits).toEqual([]);
    expect(store.state.rec.status).toBe('queued');
  });

  it("a refusal its lane lists as proof of nothing sent fails an auto route over to the next lane's queue, unlooked-up", async () => {
    const store = fakeStore(withdrawal({ route: ['aurpay', 'turinpay'] }));
    const { client, calls, lookups } = fakeClient(refused);
    const { d, own, next, failovers } = deps(store, client, { lane: { refusalProvesNotSent: () => true } });
    expect(await createSubmitProcessor(d)(job().job)).toBe('failover: turinpay');
    expect(calls).toHaveLength(1);
    expect(lookups).toEqual([]);
    expect(store.state.rec).toMatchObject({ status: 'queued', provider: 'turinpay', tried: ['aurpay'] });
    expect(store.state.history.at(-1)?.cause).toMatch(/failover from aurpay \(refused: insufficient balance\) to turinpay/);
    expect(next.added).toEqual(['turinpay:w1:0']);
    expect(own.added).toEqual([]);
    expect(failovers).toEqual(['aurpay>turinpay']);
  });

  it('fails over only to an enabled provider: with no lane for the next one the refusal ends failed', async () => {
    const store = fakeStore(withdrawal({ route: ['aurpay', 'turinpay'] }));
    const { client } = fakeClient(refused);
    const { d, next } = deps(store, client, { lane: { refusalProvesNotSent: () => true }, enabled: ['aurpay'] });
    expect(await createSubmitProcessor(d)(job().job)).toBe('failed');
    expect(store.state.rec).toMatchObject({ status: 'failed', provider: 'aurpay' });
    expect(next.added).toEqual([]);
  });

  it('a withdrawal routed to one provider never fails over, however plainly refused', async () => {
    const store = fakeStore(withdrawal({ route: [] }));
    const { client } = fakeClient(refused);
    const { d, next } = deps(store, client, { lane: { refusalProvesNotSent: () => true } });
    expect(await createSubmitProcessor(d)(job().job)).toBe('failed');
    expect(next.added).toEqual([]);
  });

  it('not sent on the last try fails an auto route over; on an earlier try it is retried on the same provider', async () => {
    const notSent: SubmitOutcome = { kind: 'not_sent', reason: 'connection refused' };
    const early = fakeStore(withdrawal({ route: ['aurpay', 'turinpay'] }));
    const a = deps(early, fakeClient(notSent).client);
    await expect(createSubmitProcessor(a.d)(job(0, 3).job)).rejects.toBeInstanceOf(NotSentError);
    expect(early.state.rec).toMatchObject({ status: 'queued', provider: 'aurpay' });
    expect(a.requeued).toEqual([]);

    const last = fakeStore(withdrawal({ route: ['aurpay', 'turinpay'] }));
    const b = deps(last, fakeClient(notSent).client);
    expect(await createSubmitProcessor(b.d)(job(2, 3).job)).toBe('failover: turinpay');
    expect(b.requeued).toEqual(['turinpay:w1:0']);
  });
});
