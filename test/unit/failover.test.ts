import { describe, expect, it } from 'vitest';
import { failoverTarget, failoverUpdates } from '../../src/queues/failover.ts';
import type { SubmitOutcome } from '../../src/providers/types.ts';
import type { Withdrawal } from '../../src/withdrawals/withdrawal.ts';

type Routed = Pick<Withdrawal, 'provider' | 'route' | 'tried'>;
const BOTH = ['aurpay', 'turinpay'] as const;
/** Routed `auto`, at its first provider. */
const auto: Routed = { provider: 'aurpay', route: ['aurpay', 'turinpay'], tried: [] };
const refused: SubmitOutcome = { kind: 'rejected', message: 'insufficient balance', raw: null };
const notSent: SubmitOutcome = { kind: 'not_sent', reason: 'ECONNREFUSED' };
const badKey: SubmitOutcome = { kind: 'not_sent', reason: 'HTTP 401', authError: true };

describe('failoverTarget', () => {
  it('moves on after an explicit refusal; after refused credentials only when the definition says so', () => {
    expect(failoverTarget(auto, refused, false, BOTH)).toEqual({ to: 'turinpay', reason: 'refused: insufficient balance' });
    expect(failoverTarget(auto, badKey, false, BOTH)).toBeNull();
    expect(failoverTarget(auto, badKey, true, BOTH)).toBeNull();
    expect(failoverTarget(auto, badKey, false, BOTH, true)).toEqual({ to: 'turinpay', reason: 'credentials refused: HTTP 401' });
  });

  it('moves on after "not sent" only on the last try', () => {
    expect(failoverTarget(auto, notSent, false, BOTH)).toBeNull();
    expect(failoverTarget(auto, notSent, true, BOTH)).toEqual({ to: 'turinpay', reason: 'not sent on the last try: ECONNREFUSED' });
  });

  it('never moves after an unknown outcome or an acceptance', () => {
    const unknown: SubmitOutcome = { kind: 'unknown', reason: 'timeout' };
    const accepted: SubmitOutcome = { kind: 'accepted', status: 'pending', providerRef: 'r', feeMsat: null, raw: null };
    expect(failoverTarget(auto, unknown, true, BOTH)).toBeNull();
    expect(failoverTarget(auto, accepted, true, BOTH)).toBeNull();
  });

  it('stays for a withdrawal that named its provider, at the end of its route, or when the next is not enabled', () => {
    expect(failoverTarget({ provider: 'aurpay', route: [], tried: [] }, refused, true, BOTH)).toBeNull();
    expect(failoverTarget({ provider: 'turinpay', route: ['aurpay', 'turinpay'], tried: ['aurpay'] }, refused, true, BOTH)).toBeNull();
    expect(failoverTarget(auto, refused, true, ['aurpay'])).toBeNull();
  });

  it("follows the route's own order (TurinPay first, then Aurpay)", () => {
    const reversed: Routed = { provider: 'turinpay', route: ['turinpay', 'aurpay'], tried: [] };
    expect(failoverTarget(reversed, refused, true, BOTH)).toEqual({ to: 'aurpay', reason: 'refused: insufficient balance' });
  });

  it('records the providers tried, each once, in the order they were tried', () => {
    expect(failoverUpdates(auto, 'turinpay')).toEqual({ provider: 'turinpay', tried: ['aurpay'], failure: null });
    expect(failoverUpdates({ provider: 'turinpay', tried: ['aurpay'] }, 'aurpay')).toEqual({ provider: 'aurpay', tried: ['aurpay', 'turinpay'], failure: null });
    expect(failoverUpdates({ provider: 'aurpay', tried: ['aurpay'] }, 'turinpay')).toMatchObject({ tried: ['aurpay'] });
  });
});
