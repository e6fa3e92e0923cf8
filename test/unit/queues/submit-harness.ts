import type { Job } from 'bullmq';
import { createLogger } from '../../../src/logger.ts';
import type { LookupOutcome, ProviderClient, SubmitOutcome, SubmitRequest } from '../../../src/providers/types.ts';
import { lanesByName, type ProviderLane } from '../../../src/queues/lane.ts';
import type { SubmitDeps } from '../../../src/queues/submit-processor.ts';
import type { TransitionRequest, TransitionResult } from '../../../src/withdrawals/store.ts';
import type { Withdrawal } from '../../../src/withdrawals/withdrawal.ts';
import { fakeLane } from '../../support/fake-lane.ts';

/**
 * The submit processor's test harness: an in-memory store that keeps the script's rules (status,
 * fence and provider checked; final states kept), clients whose answers each test sets, and the
 * processor of aurpay's lane with turinpay's as the failover target.
 */
export function withdrawal(over: Partial<Withdrawal> = {}): Withdrawal {
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
export function fakeStore(rec: Withdrawal, opts: { unapproved?: boolean; failWrites?: number; loseAnswers?: number } = {}) {
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
      if (t.round !== undefined && t.round !== r.round) return { ok: false, reason: 'conflict', current: r.status };
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

export function fakeClient(answer: SubmitOutcome | (() => SubmitOutcome), lookup: LookupOutcome = { kind: 'not_found', reason: 'no such payment' }) {
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

export function job(attemptsMade = 0, attempts = 3) {
  const moved: string[] = [];
  const j = { id: 'job-1', data: { id: 'w1' }, attemptsMade, opts: { attempts }, moveToWait: async (token?: string) => void moved.push(token ?? '') };
  return { job: j as unknown as Job, moved };
}

/** A client for tests that must never reach the provider: its submits land in `submits`. */
export const submits: SubmitRequest[] = [];
export function client0(): ProviderClient {
  return { name: 'aurpay', submit: async (r) => (submits.push(r), { kind: 'unknown', reason: 'must not be called' }), lookup: async () => ({ kind: 'not_found', reason: '' }) };
}

export const accepted: SubmitOutcome = { kind: 'accepted', status: 'pending', providerRef: 'tx-1', feeMsat: 5n, raw: {} };
export const refused: SubmitOutcome = { kind: 'rejected', message: 'insufficient balance', raw: { code: 2 } };

/** What a test changes of the processor's collaborators: its lane, the enabled lanes, the worker. */
export interface Setup {
  lane?: Partial<ProviderLane>;
  /** The providers with a lane here (default both): where a withdrawal may fail over to. */
  enabled?: readonly string[];
  stopping?: boolean;
}

/** The processor of aurpay's lane; turinpay's lane is the failover target, its client never called. */
export function deps(store: ReturnType<typeof fakeStore>, client: ProviderClient, setup: Setup = {}) {
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
