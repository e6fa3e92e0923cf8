import { RateLimitError } from 'bullmq';
import { describe, expect, it } from 'vitest';
import type { LookupOutcome, SubmitOutcome } from '../../../src/providers/types.ts';
import { createSubmitProcessor, NotSentError } from '../../../src/queues/submit-processor.ts';
import { deps, fakeClient, fakeStore, job, refused, withdrawal } from './submit-harness.ts';

/**
 * The submit processor's outcome paths: refusals checked by a lookup before they fail or fail over,
 * failover only along an auto route to an enabled lane, credentials, Retry-After, not-sent retries and
 * the breaker. Every test counts the provider calls.
 */
describe('the submit processor', () => {
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
