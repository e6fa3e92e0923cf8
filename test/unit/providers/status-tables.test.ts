import { describe, expect, it } from 'vitest';
import { AURPAY_STATUS, TURINPAY_STATUS, mapStatus } from '../../../src/providers/status-tables.ts';

describe('status tables', () => {
  it('only the listed words settle; case and surrounding spaces do not matter', () => {
    expect(mapStatus(AURPAY_STATUS, ' success ')).toBe('succeeded');
    expect(mapStatus(AURPAY_STATUS, 'Failed')).toBe('failed');
    expect(mapStatus(TURINPAY_STATUS, 'paid')).toBe('succeeded');
    expect(mapStatus(TURINPAY_STATUS, 'CANCELED')).toBe('failed');
  });

  it.each(['PENDING', 'PROCESSING', 'REFUNDED', 'OVERDUE', 'EXPIRED', 'SUCCESSFUL', 'PAID_OUT', '', 'constructor', '__proto__', 'toString'])(
    'unknown or non-terminal word %j → pending in both tables',
    (word) => {
      expect(mapStatus(AURPAY_STATUS, word)).toBe('pending');
      expect(mapStatus(TURINPAY_STATUS, word)).toBe('pending');
    },
  );

  it('a missing word → pending', () => {
    expect(mapStatus(AURPAY_STATUS, null)).toBe('pending');
    expect(mapStatus(TURINPAY_STATUS, undefined)).toBe('pending');
  });

  it('the tables are what the docs and the report say', () => {
    expect(AURPAY_STATUS).toEqual({
      SUCCESS: 'succeeded',
      FAILED: 'failed',
      FAIL: 'failed',
      TERMINATED: 'failed',
      CANCELLED: 'failed',
      CANCELED: 'failed',
    });
    expect(TURINPAY_STATUS).toEqual({ PAID: 'succeeded', FAILED: 'failed', CANCELED: 'failed', CANCELLED: 'failed' });
  });
});
