import { describe, expect, it } from 'vitest';
import { rateLimitWindow } from '../../../src/queues/rate-window.ts';

describe('rateLimitWindow', () => {
  it('splits a per-second limit into windows of about a quarter second', () => {
    expect(rateLimitWindow(200)).toEqual({ max: 50, durationMs: 250 });
    expect(rateLimitWindow(1000)).toEqual({ max: 250, durationMs: 250 });
  });

  it('never allows more than the limit, whatever the rounding', () => {
    for (const perSecond of [1, 2, 3, 5, 7, 13, 99, 101, 333, 1234, 100000]) {
      const { max, durationMs } = rateLimitWindow(perSecond);
      expect(max).toBeGreaterThanOrEqual(1);
      expect((max * 1000) / durationMs).toBeLessThanOrEqual(perSecond);
      // ...and loses at most a few percent of it to rounding.
      expect((max * 1000) / durationMs).toBeGreaterThan(perSecond * (perSecond < 10 ? 0.9 : 0.98));
    }
  });
});
