/**
 * The submit decision, case by case, without Redis: each row of architecture.md's "Provider call
 * outcome" table, per provider where they differ.
 */
import { describe, expect, it } from 'vitest';
import type { SubmitOutcome } from '../../../src/providers/types.ts';
import { aurpay, turinpay } from '../../../src/providers/index.ts';
import { submitEffect } from '../../../src/queues/outcome-effects.ts';

const accepted = (status: 'pending' | 'succeeded' | 'failed'): SubmitOutcome => ({ kind: 'accepted', status, providerRef: 'ref-1', feeMsat: 1000n, raw: { id: 'ref-1' } });

describe('submitEffect: accepted', () => {
  it('pending: submitted, with its reference and fee, and a settlement check scheduled', () => {
    for (const provider of [aurpay, turinpay]) {
      expect(submitEffect(provider.capabilities, accepted('pending'))).toEqual({
        to: 'submitted',
        cause: 'provider accepted; pending',
        change: { providerRef: 'ref-1', feeMsat: 1000n },
        settle: true,
      });
    }
  });

  it('succeeded: settles at once for TurinPay; Aurpay is confirmed by a lookup first (its SUCCESS is ambiguous)', () => {
    expect(submitEffect(turinpay.capabilities, accepted('succeeded'))).toMatchObject({ to: 'succeeded', settle: false });
    expect(submitEffect(aurpay.capabilities, accepted('succeeded'))).toEqual({
      to: 'submitted',
      settle: true,
      confirmAtOnce: true,
      cause: 'provider answered success; confirming it by lookup',
      change: { providerRef: 'ref-1', feeMsat: 1000n },
    });
  });

  it('failed: failed, with the provider answer as evidence, nothing more to check', () => {
    const e = submitEffect(aurpay.capabilities, accepted('failed'));
    expect(e).toMatchObject({ to: 'failed', settle: false });
    expect(e.change.failure).toEqual({ code: 'provider_failed', message: 'the provider reports the payment failed', provider: { id: 'ref-1' } });
  });
});

describe('submitEffect: the other outcomes', () => {
  it('rejected (a definitive refusal: nothing was sent): failed with the provider message', () => {
    const e = submitEffect(turinpay.capabilities, { kind: 'rejected', message: 'insufficient balance (HTTP 400)', raw: { success: false } });
    expect(e).toMatchObject({ to: 'failed', settle: false, cause: 'provider refused' });
    expect(e.change.failure).toEqual({ code: 'provider_rejected', message: 'the provider refused the payment: insufficient balance (HTTP 400)', provider: { success: false } });
  });

  it('not_sent (connection refused, 429, credentials): back to queued for a retry, no settlement', () => {
    expect(submitEffect(aurpay.capabilities, { kind: 'not_sent', reason: 'ECONNREFUSED' })).toEqual({ to: 'queued', cause: 'not sent: ECONNREFUSED', change: {}, settle: false });
  });

  it('unknown (timeout after write, reset, 5xx, a body that does not parse): unknown and reconciled, never failed', () => {
    const e = submitEffect(aurpay.capabilities, { kind: 'unknown', reason: 'HTTP 502', raw: '<html>' });
    expect(e).toMatchObject({ to: 'unknown', settle: true, cause: 'outcome unknown: HTTP 502' });
    expect(e.change.failure).toEqual({ code: 'outcome_unknown', message: 'the outcome of the provider call is unknown; reconciling: HTTP 502', provider: '<html>' });
  });
});
