/**
 * Two small decisions on a withdrawal, without Redis: whether one held for approval has run out of
 * time (its invoice expires within the margin), and when an on-chain one records what it moved.
 */
import { describe, expect, it } from 'vitest';
import { movedAmountUpdate } from '../../../src/queues/outcome-effects.ts';
import { approvalExpired } from '../../../src/withdrawals/operator.ts';

const NOW = 1_800_000_000_000;

describe('approvalExpired', () => {
  it('is true once the invoice expires within the margin, false before', () => {
    expect(approvalExpired({ expiresAt: NOW + 60_000 }, NOW, 60_000)).toBe(true);
    expect(approvalExpired({ expiresAt: NOW + 60_001 }, NOW, 60_000)).toBe(false);
    expect(approvalExpired({ expiresAt: NOW - 1 }, NOW, 0)).toBe(true);
  });

  it('is never true for an address (no expiry stored)', () => {
    expect(approvalExpired({ expiresAt: null }, NOW, 86_400_000)).toBe(false);
  });
});

describe('movedAmountUpdate', () => {
  const onchain = { address: 'bcrt1q...', amountMsat: null };

  it('records the amount an on-chain withdrawal moved, from the first answer that says it', () => {
    expect(movedAmountUpdate(onchain, { amountMsat: 150_000_000n })).toEqual({ amountMsat: 150_000_000n });
  });

  it('changes nothing once the amount is known, for a Lightning withdrawal, or when the answer says none', () => {
    expect(movedAmountUpdate({ ...onchain, amountMsat: 0n }, { amountMsat: 5n })).toEqual({});
    expect(movedAmountUpdate({ address: null, amountMsat: null }, { amountMsat: 5n })).toEqual({});
    expect(movedAmountUpdate(onchain, { amountMsat: null })).toEqual({});
    expect(movedAmountUpdate(onchain, {})).toEqual({});
  });
});
