/**
 * The transition script holds to the one table (src/withdrawals/status.ts) whatever its caller
 * passes, and the fence carries the provider, the round and the approvals a record needs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStore, IllegalTransitionError, type WithdrawalStore } from '../../src/withdrawals/store.ts';
import { canTransition, isFinal, STATUSES } from '../../src/withdrawals/status.ts';
import { newWithdrawal } from '../support/new-withdrawal.ts';
import { testRedis, type TestRedis } from '../support/redis.ts';
import { BUILTIN_PROVIDER_NAMES } from '../../src/providers/index.ts';

let t: TestRedis;
let store: WithdrawalStore;
beforeAll(async () => {
  t = await testRedis('table');
  store = createStore({ redis: t.redis, keys: t.keys, eventsMaxLen: 0, providers: BUILTIN_PROVIDER_NAMES });
});
afterAll(async () => t.cleanup());

describe('the transition script and the table', () => {
  it('allows exactly the edges of the table, from every status to every status, and never leaves a final one', async () => {
    let n = 0;
    for (const from of STATUSES) {
      for (const to of STATUSES) {
        const id = `e${n++}`;
        await store.create(newWithdrawal(id));
        // Put the record in `from` directly: the table, not a path through it, is under test.
        await t.redis.hset(t.keys.record(id), 'status', from, 'fence', 'f');
        const attempt = store.transition(id, { from, to, fence: 'f', cause: 'table test' });
        if (canTransition(from, to)) {
          expect(await attempt, `${from} -> ${to}`).toEqual({ ok: true });
          expect((await store.read(id))?.status).toBe(to);
        } else {
          await expect(attempt, `${from} -> ${to}`).rejects.toThrow(IllegalTransitionError);
          expect((await store.read(id))?.status, `${from} -> ${to} changed nothing`).toBe(from);
        }
        if (isFinal(from)) expect(canTransition(from, to)).toBe(false);
      }
    }
  });

  it('refuses a fence for another provider than the record is routed to, and writes nothing', async () => {
    await store.create(newWithdrawal('routed', { provider: 'turinpay' }));
    const res = await store.transition('routed', { provider: 'aurpay', from: 'queued', to: 'submitting', newFence: 'x', cause: 'stale aurpay job' });
    expect(res).toEqual({ ok: false, reason: 'wrong_provider', current: 'queued' });
    const w = await store.read('routed');
    expect(w).toMatchObject({ status: 'queued', fence: null, attempts: 0, provider: 'turinpay' });
    // Its own provider fences it.
    expect(await store.transition('routed', { provider: 'turinpay', from: 'queued', to: 'submitting', newFence: 'y', cause: 'turinpay job' })).toEqual({ ok: true });
  });

  it('refuses a fence for a round the record has left (resubmitted since it was read), and writes nothing', async () => {
    await store.create(newWithdrawal('again', { provider: 'turinpay' }));
    // Paid in round 0, sent to review, resubmitted by an operator: queued in round 1.
    expect(await store.transition('again', { provider: 'turinpay', from: 'queued', to: 'submitting', newFence: 'a', round: 0, cause: 'round 0' })).toEqual({ ok: true });
    expect(await store.transition('again', { from: 'submitting', to: 'unknown', fence: 'a', cause: 'timed out' })).toEqual({ ok: true });
    expect(await store.transition('again', { from: 'unknown', to: 'needs_review', fence: 'a', cause: 'not found' })).toEqual({ ok: true });
    expect(await store.transition('again', { from: 'needs_review', to: 'queued', newRound: true, cause: 'resubmit' })).toEqual({ ok: true });
    const before = await t.redis.hgetall(t.keys.record('again'));
    expect(before.round).toBe('1');
    // A job that read the record in round 0 fences it no more.
    const stale = await store.transition('again', { provider: 'turinpay', from: 'queued', to: 'submitting', newFence: 'b', round: 0, cause: 'round 0 job' });
    expect(stale).toEqual({ ok: false, reason: 'conflict', current: 'queued' });
    expect(await t.redis.hgetall(t.keys.record('again'))).toEqual(before);
    // Round 1's job does.
    expect(await store.transition('again', { provider: 'turinpay', from: 'queued', to: 'submitting', newFence: 'c', round: 1, cause: 'round 1 job' })).toEqual({ ok: true });
  });

  it('refuses queued -> submitting until the approvals the record needs are recorded', async () => {
    await store.create(newWithdrawal('held', { initialStatus: 'awaiting_approval', approvalsNeeded: 2 }));
    // A caller with a lower setting moves it to queued; the fence still asks for two approvals.
    expect((await store.approve('held', 'ana', null, 1)).kind).toBe('approved');
    await t.redis.hset(t.keys.record('held'), 'status', 'queued');
    const res = await store.transition('held', { provider: 'turinpay', from: 'queued', to: 'submitting', newFence: 'f', cause: 'submit' });
    expect(res).toEqual({ ok: false, reason: 'unapproved', current: 'queued' });
    await t.redis.hset(t.keys.record('held'), 'status', 'awaiting_approval');
    expect((await store.approve('held', 'ben', null, 1)).kind).toBe('queued');
    expect(await store.transition('held', { provider: 'turinpay', from: 'queued', to: 'submitting', newFence: 'f', cause: 'submit' })).toEqual({ ok: true });
  });

  it('counts one operator once whatever the case of the name', async () => {
    await store.create(newWithdrawal('case', { initialStatus: 'awaiting_approval', approvalsNeeded: 2, owner: 'Ana' }));
    expect((await store.approve('case', 'ana', null, 2)).kind).toBe('own');
    expect((await store.approve('case', 'ben', null, 2)).kind).toBe('approved');
    expect((await store.approve('case', 'ben', null, 2)).kind).toBe('already');
  });

  it('refuses input it cannot write whole (an amount past 21 million BTC) and changes nothing', async () => {
    await store.create(newWithdrawal('big'));
    await store.transition('big', { from: 'queued', to: 'submitting', newFence: 'f', cause: 'submit' });
    const before = await t.redis.hgetall(t.keys.record('big'));
    await expect(store.transition('big', { from: 'submitting', to: 'submitted', fence: 'f', cause: 'x', change: { feeMsat: 2n ** 64n } })).rejects.toThrow(/refused its input/);
    expect(await t.redis.hgetall(t.keys.record('big'))).toEqual(before);
  });
});
