import { describe, expect, it } from 'vitest';
import { approvalsNeeded } from '../../src/callers.ts';

describe('approvalsNeeded', () => {
  it.each([1, 2, 3, 10])('asks APPROVALS_REQUIRED=%i approvals of a Lightning withdrawal', (n) => {
    expect(approvalsNeeded({ approvalsRequired: n }, false)).toBe(n);
  });

  it.each([
    [1, 2],
    [2, 2],
    [3, 3],
    [10, 10],
  ])('asks at least two approvals of an on-chain withdrawal (APPROVALS_REQUIRED=%i: %i)', (n, needed) => {
    expect(approvalsNeeded({ approvalsRequired: n }, true)).toBe(needed);
  });
});
