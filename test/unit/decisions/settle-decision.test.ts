/** The settle decision, case by case, without Redis (architecture.md, "Settlement", invariant 2). */
import { describe, expect, it } from 'vitest';
import type { LookupOutcome } from '../../../src/providers/types.ts';
import { nextCheckDelay, settleCheckAt, settleDelay } from '../../../src/queues/lookup-policy.ts';
import { settleDecision, type SettleInput } from '../../../src/queues/settle-decision.ts';

const NOW = 1_800_000_000_000;
/** A Lightning withdrawal with no provider reference yet, a minute before its reconciliation deadline. */
const rec: SettleInput['rec'] = { providerRef: null, address: null, amountMsat: 1000n, reconcileDeadline: NOW + 60_000 };
const onchain: SettleInput['rec'] = { ...rec, address: 'bcrt1q...', amountMsat: null };
const decide = (outcome: LookupOutcome, over: Partial<SettleInput> = {}) =>
  settleDecision({ rec, outcome, checks: 0, nowMs: NOW, pollMs: 100, pollMaxMs: 1000, ...over });
const found = (status: 'pending' | 'succeeded' | 'failed'): LookupOutcome => ({ kind: 'found', status, providerRef: 'ref-9', feeMsat: 2000n, raw: { status } });

describe('settleDecision', () => {
  it('settles on an explicit succeeded, clearing any earlier failure and keeping the reference and fee', () => {
    expect(decide(found('succeeded'))).toEqual({
      kind: 'settle',
      to: 'succeeded',
      cause: 'provider status succeeded',
      change: { providerRef: 'ref-9', feeMsat: 2000n, failure: null },
    });
  });

  it('settles on an explicit failed, with the provider answer as evidence', () => {
    const d = decide(found('failed'));
    expect(d).toMatchObject({ kind: 'settle', to: 'failed' });
    if (d.kind !== 'settle') throw new Error('not settled');
    expect(d.change.failure).toMatchObject({ code: 'provider_failed', provider: { status: 'failed' } });
  });

  it('keeps a reference it already has', () => {
    const d = decide(found('succeeded'), { rec: { ...rec, providerRef: 'ref-1' } });
    expect(d.kind === 'settle' && d.change).not.toHaveProperty('providerRef');
  });

  it('records the amount an on-chain withdrawal moved, once', () => {
    const moved: LookupOutcome = { kind: 'found', status: 'succeeded', providerRef: null, feeMsat: null, amountMsat: 150_000_000n, raw: {} };
    expect(decide(moved, { rec: onchain })).toMatchObject({ change: { amountMsat: 150_000_000n } });
    expect(decide(moved, { rec: { ...onchain, amountMsat: 1n } })).not.toMatchObject({ change: { amountMsat: expect.anything() } });
    // A Lightning withdrawal's amount is the invoice's: a lookup never rewrites it.
    expect(decide(moved)).not.toMatchObject({ change: { amountMsat: expect.anything() } });
  });

  it('waits on pending, not found and errors, backing off from SETTLE_POLL_MS, capped', () => {
    const answers: LookupOutcome[] = [found('pending'), { kind: 'not_found', reason: 'no such withdrawal' }, { kind: 'error', reason: 'HTTP 503' }];
    for (const outcome of answers) {
      expect(decide(outcome)).toEqual({ kind: 'wait', delayMs: 233 });
      expect(decide(outcome, { checks: 1 })).toEqual({ kind: 'wait', delayMs: 543 });
      expect(decide(outcome, { checks: 9 })).toEqual({ kind: 'wait', delayMs: 1000 });
    }
  });

  it('waits until the next check is due on the schedule from the settle job, whatever the last check took', () => {
    // Check 1 is due 333 ms after the job was created (100 + 233): the lookup took 40 ms of it.
    expect(decide(found('pending'), { startedMs: NOW - 140 })).toEqual({ kind: 'wait', delayMs: 193 });
    // Check 2 is due at 876 ms.
    expect(decide(found('pending'), { checks: 1, startedMs: NOW - 400 })).toEqual({ kind: 'wait', delayMs: 476 });
  });

  it('never checks sooner than the provider Retry-After', () => {
    expect(decide({ kind: 'error', reason: 'HTTP 429', retryAfterMs: 5000 })).toEqual({ kind: 'wait', delayMs: 5000 });
  });

  it('hands it to an operator (needs_review) once the deadline passed without proof, never fails it', () => {
    for (const outcome of [found('pending'), { kind: 'not_found', reason: 'not in the pages read' } as LookupOutcome]) {
      const d = decide(outcome, { nowMs: NOW + 60_000 });
      expect(d).toMatchObject({ kind: 'review', cause: 'reconciliation budget spent' });
      if (d.kind !== 'review') throw new Error('not review');
      expect(d.change.failure).toMatchObject({ code: 'reconciliation_exhausted' });
    }
  });

  it('takes a withdrawal with no deadline stored as past it', () => {
    expect(decide(found('pending'), { rec: { ...rec, reconcileDeadline: null } })).toMatchObject({ kind: 'review' });
  });

  it('still settles on an explicit answer that comes after the deadline', () => {
    expect(decide(found('succeeded'), { nowMs: NOW + 120_000 })).toMatchObject({ kind: 'settle', to: 'succeeded' });
  });
});

describe('the check schedule', () => {
  it('grows each wait 2.33 times from SETTLE_POLL_MS and stops at SETTLE_POLL_MAX_MS', () => {
    expect([0, 1, 2, 3, 40, 5000].map((c) => settleDelay(c, 250, 1500))).toEqual([250, 583, 1357, 1500, 1500, 1500]);
  });

  it('with the defaults, checks just after settle times of 1.5 s and 10 s, and 8 checks reach past a minute', () => {
    const at = [0, 1, 2, 3, 4, 5, 6, 7].map((c) => settleCheckAt(c, 200, 300_000));
    expect(at).toEqual([200, 666, 1752, 4282, 10177, 23911, 55912, 130475]);
    expect(settleCheckAt(9, 200, 300_000) - settleCheckAt(8, 200, 300_000)).toBe(300_000);
  });

  it('sums the capped waits, however many checks were made', () => {
    expect(settleCheckAt(3, 250, 1500)).toBe(250 + 583 + 1357 + 1500);
    expect(settleCheckAt(100, 10, 1000) - settleCheckAt(99, 10, 1000)).toBe(1000);
  });

  it('a check that fell behind waits at least half its own delay; a clock that disagrees, at most twice it', () => {
    // Check 2 (own wait 1086 ms) was due 1752 ms after a start 5 s ago: no burst, half its wait.
    expect(nextCheckDelay(2, NOW, NOW - 5000, 200, 300_000)).toBe(543);
    // A start in the future (another host's clock): twice its wait at most.
    expect(nextCheckDelay(2, NOW, NOW + 60_000, 200, 300_000)).toBe(2172);
    expect(nextCheckDelay(2, NOW, undefined, 200, 300_000)).toBe(1086);
  });
});
