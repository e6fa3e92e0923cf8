import { RateLimitError, WaitingError } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { createSubmitProcessor } from '../../../src/queues/submit-processor.ts';
import { accepted, client0, deps, fakeClient, fakeStore, job, submits, withdrawal } from './submit-harness.ts';

/**
 * The submit processor's fence and stop paths: no provider call unless the record is queued, routed to
 * this lane, approved, fenced by this attempt, within the lane's budget and the worker not stopping;
 * an outcome recorded only under its own fence. Every test counts the provider calls.
 */
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

  it('calls nothing when the fence finds the record in a later round (resubmitted between read and fence)', async () => {
    const store = fakeStore(withdrawal());
    const { client, calls } = fakeClient(accepted);
    const original = store.read;
    // The read sees round 0; by the fence another job has paid it, it went to review and an operator resubmitted it.
    store.read = async (id) => {
      const r = await original(id);
      store.state.rec = { ...store.state.rec, round: 1 };
      return r;
    };
    expect(await createSubmitProcessor(deps(store, client).d)(job().job)).toBe('skipped: resubmitted');
    expect(calls).toHaveLength(0);
    expect(store.state.rec).toMatchObject({ status: 'queued', round: 1, attempts: 0 });
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
});
