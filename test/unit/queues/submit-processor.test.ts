import { WaitingError, type Job } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/logger.ts';
import type { LookupOutcome, ProviderClient, SubmitOutcome, SubmitRequest } from '../../../src/providers/types.ts';
import { createSubmitProcessor, type SubmitDeps } from '../../../src/queues/submit-processor.ts';
import type { TransitionRequest, TransitionResult } from '../../../src/withdrawals/store.ts';
import type { Withdrawal } from '../../../src/withdrawals/withdrawal.ts';

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
  const state = { rec: { ...rec }, history: [] as TransitionRequest[], failWrites: opts.failWrites ?? 0, loseAnswers: opts.loseAnswers ?? 0 };
  return {
    state,
    async read(id: string) {
      return id === state.rec.id ? { ...state.rec } : null;
    },
    async transition(id: string, t: TransitionRequest): Promise<TransitionResult> {
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

function deps(store: ReturnType<typeof fakeStore>, client: ProviderClient, over: Partial<SubmitDeps> = {}) {
  const settles: string[] = [];
  const requeued: string[] = [];
  const notSent: string[] = [];
  const d: SubmitDeps = {
    provider: 'aurpay',
    capabilities: { settlesOnSubmit: false },
    client,
    store,
    logger: createLogger('silent'),
    scheduleSettle: async (id) => void settles.push(id),
    requeue: async (to, id) => void requeued.push(`${to}:${id}`),
    enabledProviders: ['aurpay', 'turinpay'],
    onNotSent: async (o) => {
      notSent.push(o.reason);
      return new Error(`not sent: ${o.reason}`);
    },
    pause: async () => undefined,
    unfenceForMs: 1000,
    ...over,
  };
  return { d, settles, requeued, notSent };
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
    expect(store.state.history).toHaveLength(0);
  });

  it("calls nothing for a record routed to another provider (another queue's job after a failover)", async () => {
    const store = fakeStore(withdrawal({ provider: 'turinpay' }));
    const { client, calls } = fakeClient(accepted);
    expect(await createSubmitProcessor(deps(store, client).d)(job().job)).toBe('skipped: routed to turinpay');
    expect(calls).toHaveLength(0);
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
    await expect(createSubmitProcessor(deps(store, client, { stopping: () => true }).d)(j, 'lock-token')).rejects.toBeInstanceOf(WaitingError);
    expect(calls).toHaveLength(0);
    expect(moved).toEqual(['lock-token']);
    expect(store.state.rec.status).toBe('queued');
    expect(store.state.history.at(-1)?.cause).toMatch(/worker is stopping/);
  });

  it('throttled by the provider budget: gives the job back before the record is touched', async () => {
    const store = fakeStore(withdrawal());
    const { client, calls } = fakeClient(accepted);
    await expect(createSubmitProcessor(deps(store, client, { throttle: async () => new Error('rate limited') }).d)(job().job)).rejects.toThrow('rate limited');
    expect(calls).toHaveLength(0);
    expect(store.state.history).toHaveLength(0);
  });

  it('a refusal the lookup confirms (no payment) fails over to the next provider of an auto route, and calls no one else', async () => {
    const store = fakeStore(withdrawal({ route: ['aurpay', 'turinpay'] }));
    const { client, calls, lookups } = fakeClient(refused);
    const { d, requeued } = deps(store, client);
    expect(await createSubmitProcessor(d)(job().job)).toBe('failover: turinpay');
    expect(calls).toHaveLength(1);
    expect(lookups).toEqual(['ph-w1']);
    expect(store.state.rec).toMatchObject({ status: 'queued', provider: 'turinpay', tried: ['aurpay'] });
    expect(requeued).toEqual(['turinpay:w1']);
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
    const { d } = deps(store, client, { refusalProvesNotSent: () => true });
    expect(await createSubmitProcessor(d)(job().job)).toBe('failed');
    expect(lookups).toEqual([]);
    expect(store.state.rec.status).toBe('failed');
  });

  it('refused credentials pause the provider but do not fail over, unless its definition says so', async () => {
    const auth: SubmitOutcome = { kind: 'not_sent', reason: 'HTTP 403', authError: true };
    const stays = fakeStore(withdrawal({ route: ['aurpay', 'turinpay'] }));
    const a = deps(stays, fakeClient(auth).client);
    await expect(createSubmitProcessor(a.d)(job().job)).rejects.toThrow('not sent: HTTP 403');
    expect(stays.state.rec).toMatchObject({ status: 'queued', provider: 'aurpay' });
    expect(a.requeued).toEqual([]);
    expect(a.notSent).toEqual(['HTTP 403']);

    const moves = fakeStore(withdrawal({ route: ['aurpay', 'turinpay'] }));
    const b = deps(moves, fakeClient(auth).client, { authErrorFailsOver: true });
    expect(await createSubmitProcessor(b.d)(job().job)).toBe('failover: turinpay');
    expect(b.requeued).toEqual(['turinpay:w1']);
    // What refused credentials do to the provider (pause it) still happens.
    expect(b.notSent).toEqual(['HTTP 403']);
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
});
