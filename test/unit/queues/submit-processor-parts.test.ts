import { RateLimitError, WaitingError, type Job } from 'bullmq';
import { describe, expect, it } from 'vitest';
import type { SubmitOutcome, SubmitRequest } from '../../../src/providers/types.ts';
import { createSubmitProcessor, NotSentError } from '../../../src/queues/submit-processor.ts';
import type { TransitionRequest } from '../../../src/withdrawals/store.ts';
import { accepted, deps, fakeStore, withdrawal } from './submit-harness.ts';

/** Records w1..wN, each in its own fake store (the script's checks), behind one store. */
function records(n: number) {
  const stores = new Map(Array.from({ length: n }, (_, i) => [`w${i + 1}`, fakeStore(withdrawal({ id: `w${i + 1}`, paymentHash: `ph-w${i + 1}` }))]));
  return {
    stores,
    status: (id: string) => stores.get(id)?.state.rec.status,
    read: async (id: string) => (await stores.get(id)?.read(id)) ?? null,
    transition: async (id: string, t: TransitionRequest) => stores.get(id)!.transition(id, t),
  };
}

/** A client answering each submit in turn from `answers` (the last one from then on). */
function client(answers: SubmitOutcome[]) {
  const calls: SubmitRequest[] = [];
  return {
    calls,
    client: {
      name: 'aurpay',
      async submit(req: SubmitRequest) {
        calls.push(req);
        return answers[Math.min(calls.length - 1, answers.length - 1)]!;
      },
      async lookup() {
        return { kind: 'not_found' as const, reason: 'no such payment' };
      },
    },
  };
}

function partJob(ids: string[]) {
  const moved: string[] = [];
  const j = {
    id: 'p_part',
    data: { ids },
    attemptsMade: 0,
    opts: { attempts: 3 },
    moveToWait: async (token?: string) => void moved.push(token ?? ''),
    async updateData(data: { ids: string[] }) {
      j.data = data;
    },
  };
  return { job: j as unknown as Job, moved, data: () => j.data.ids };
}

/**
 * A batch part's submit job: each of its withdrawals exactly as if it had its own job (fenced on
 * its own, never paid twice when the part runs again), the part as a whole put back when the
 * budget, the worker or an unknown outcome says so.
 */
describe('a batch part submit job', () => {
  it('pays each of its withdrawals once, in order, each under its own fence', async () => {
    const store = records(3);
    const { client: c, calls } = client([accepted]);
    const out = await createSubmitProcessor({ ...deps(fakeStore(withdrawal()), c).d, store })(partJob(['w1', 'w2', 'w3']).job);
    expect(out).toBe('submitted 3');
    expect(calls.map((r) => r.withdrawalId)).toEqual(['w1', 'w2', 'w3']);
    for (const s of store.stores.values()) {
      expect(s.state.history.map((t) => `${t.from}>${t.to}`)).toEqual(['queued>submitting', 'submitting>submitted']);
    }
    expect(new Set([...store.stores.values()].map((s) => s.state.rec.fence)).size).toBe(3);
  });

  it('run again, pays nobody twice', async () => {
    const store = records(2);
    const { client: c, calls } = client([accepted]);
    const run = createSubmitProcessor({ ...deps(fakeStore(withdrawal()), c).d, store });
    await run(partJob(['w1', 'w2']).job);
    expect(await run(partJob(['w1', 'w2']).job)).toBe('skipped: submitted 2');
    expect(calls).toHaveLength(2);
  });

  it('over the budget, goes back to its queue whole, and the rest stay queued without a call', async () => {
    const store = records(3);
    const { client: c, calls } = client([accepted]);
    let takes = 0;
    const setup = deps(fakeStore(withdrawal()), c, { lane: { budget: { take: async () => (takes++ === 0 ? 0 : 250) } } });
    const run = createSubmitProcessor({ ...setup.d, store });
    const part = partJob(['w1', 'w2', 'w3']);
    await expect(run(part.job)).rejects.toBeInstanceOf(RateLimitError);
    expect(calls.map((r) => r.withdrawalId)).toEqual(['w1']);
    expect([store.status('w2'), store.status('w3')]).toEqual(['queued', 'queued']);
    expect(setup.rateLimits).toEqual([250]);
    // Back in its queue, the job holds only the two it has yet to pay.
    expect(part.data()).toEqual(['w2', 'w3']);
  });

  it('retries a withdrawal not sent with the job, after paying the others', async () => {
    const store = records(3);
    const notSent: SubmitOutcome = { kind: 'not_sent', reason: 'HTTP 503' };
    const { client: c, calls } = client([accepted, notSent, accepted]);
    const run = createSubmitProcessor({ ...deps(fakeStore(withdrawal()), c, { enabled: ['aurpay'] }).d, store });
    const part = partJob(['w1', 'w2', 'w3']);
    await expect(run(part.job)).rejects.toBeInstanceOf(NotSentError);
    expect(calls).toHaveLength(3);
    expect(['w1', 'w2', 'w3'].map(store.status)).toEqual(['submitted', 'queued', 'submitted']);
    expect(part.data()).toEqual(['w2']);
    // The retry pays the one left, and reads only it.
    expect(await run(part.job)).toBe('submitted 1');
    expect(calls.map((r) => r.withdrawalId)).toEqual(['w1', 'w2', 'w3', 'w2']);
    // A part run again with all of them (its data could not be updated) skips what is paid.
    expect(await run(partJob(['w1', 'w2', 'w3']).job)).toBe('skipped: submitted 3');
  });

  it('after an unknown outcome, sends the rest back to its queue (a breaker it opened holds them)', async () => {
    const store = records(3);
    const { client: c, calls } = client([{ kind: 'unknown', reason: 'socket hang up' }]);
    const { job, moved, data } = partJob(['w1', 'w2', 'w3']);
    await expect(createSubmitProcessor({ ...deps(fakeStore(withdrawal()), c).d, store })(job, 'tok')).rejects.toBeInstanceOf(WaitingError);
    expect(moved).toEqual(['tok']);
    expect(calls).toHaveLength(1);
    expect(['w1', 'w2', 'w3'].map(store.status)).toEqual(['unknown', 'queued', 'queued']);
    expect(data()).toEqual(['w2', 'w3']);
  });

  it('skips a withdrawal that does not exist and pays the rest', async () => {
    const store = records(2);
    const { client: c, calls } = client([accepted]);
    const out = await createSubmitProcessor({ ...deps(fakeStore(withdrawal()), c).d, store })(partJob(['w1', 'gone', 'w2']).job);
    expect(out).toBe('submitted 2, skipped: missing 1');
    expect(calls.map((r) => r.withdrawalId)).toEqual(['w1', 'w2']);
  });

  it('ends with its last withdrawal unknown: the job is done, not sent back', async () => {
    const store = records(2);
    const { client: c } = client([accepted, { kind: 'unknown', reason: 'socket hang up' }]);
    const { job, moved } = partJob(['w1', 'w2']);
    expect(await createSubmitProcessor({ ...deps(fakeStore(withdrawal()), c).d, store })(job, 'tok')).toBe('submitted 1, unknown 1');
    expect(moved).toEqual([]);
  });

  it('on a stopping worker, starts none and goes back to its queue', async () => {
    const store = records(2);
    const { client: c, calls } = client([accepted]);
    const { job, moved } = partJob(['w1', 'w2']);
    await expect(createSubmitProcessor({ ...deps(fakeStore(withdrawal()), c, { stopping: true }).d, store })(job, 'tok')).rejects.toBeInstanceOf(WaitingError);
    expect(moved).toEqual(['tok']);
    expect(calls).toHaveLength(0);
    expect(store.stores.get('w1')!.state.writes).toBe(0);
  });

  it('stopping between a fence and its call: that one goes back to queued unsent, and the job with it and the rest', async () => {
    const store = records(2);
    const { client: c, calls } = client([accepted]);
    let stopping = false;
    const fenced = store.transition;
    store.transition = async (id, t) => {
      const res = await fenced(id, t);
      if (t.to === 'submitting') stopping = true;
      return res;
    };
    const made = deps(fakeStore(withdrawal()), c);
    const { job, moved, data } = partJob(['w1', 'w2']);
    const run = createSubmitProcessor({ ...made.d, store, worker: { ...made.d.worker, stopping: () => stopping } });
    await expect(run(job, 'tok')).rejects.toBeInstanceOf(WaitingError);
    expect(calls).toHaveLength(0);
    expect([store.status('w1'), store.status('w2')]).toEqual(['queued', 'queued']);
    expect(moved).toEqual(['tok']);
    expect(data()).toEqual(['w1', 'w2']);
  });

  it('refuses malformed data: more ids than a part holds', async () => {
    const { client: c } = client([accepted]);
    const ids = Array.from({ length: 65 }, (_, i) => `w${i}`);
    await expect(createSubmitProcessor(deps(fakeStore(withdrawal()), c).d)(partJob(ids).job)).rejects.toThrow(/malformed data/);
  });
});
