/**
 * A chunk whose validation fails must never become a rejection nobody handles (that stops the
 * process): the batch gets the error in turn, and a thread that answered a failure stays in use.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { createLogger } from '../../src/logger.ts';
import type { CheckContext } from '../../src/withdrawals/checks.ts';
import { regtestChecks } from '../support/check-context.ts';
import { createValidationPool, type ValidationPool } from '../../src/withdrawals/validation/pool.ts';
import { prevalidate } from '../../src/withdrawals/validation/prevalidate.ts';
import { validateWithdrawal, type Validation } from '../../src/withdrawals/validation/validate.ts';

const ctx = (): CheckContext => regtestChecks();

let unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
beforeEach(() => {
  unhandled = [];
  process.on('unhandledRejection', onUnhandled);
});
afterEach(() => {
  process.off('unhandledRejection', onUnhandled);
});

/** A pool whose second chunk fails: at once (synchronously) or a moment later. */
function failingPool(how: 'throws' | 'rejects'): ValidationPool {
  let calls = 0;
  return {
    threads: 1,
    validate(items, c): Promise<Validation[]> {
      calls++;
      if (calls === 2) {
        if (how === 'throws') throw new RangeError('Maximum call stack size exceeded');
        return Promise.reject(new RangeError('Maximum call stack size exceeded'));
      }
      return Promise.resolve(items.map((item) => validateWithdrawal(item, c)));
    },
    counts: () => ({ inThreads: 0, inline: 0 }),
    close: async () => {},
  };
}

const items = Array.from({ length: 256 * 5 }, (_, i) => ({ id: `item-${i}`, provider: 'aurpay' }));

describe('a failing validation chunk', () => {
  it.each(['throws', 'rejects'] as const)('that %s while the caller is still busy with earlier items is thrown in turn, never unhandled', async (how) => {
    const source = prevalidate(items, failingPool(how), ctx, () => false);
    let yielded = 0;
    let error: unknown;
    try {
      for await (const _ of source) {
        // A slow consumer (storing items in Redis): the failed chunk waits in the queue meanwhile.
        if (yielded++ === 0) await new Promise((r) => setTimeout(r, 50));
      }
    } catch (err) {
      error = err;
    }
    await new Promise((r) => setTimeout(r, 10));
    expect(unhandled).toEqual([]);
    expect(error).toBeInstanceOf(RangeError);
    expect(yielded).toBe(256);
  });

  it('abandoned by a caller that stopped early leaves no unhandled rejection', async () => {
    const source = prevalidate(items, failingPool('rejects'), ctx, () => false);
    for await (const _ of source) break;
    await new Promise((r) => setTimeout(r, 50));
    expect(unhandled).toEqual([]);
  });

  it('in a thread rejects that chunk only: the thread stays in use, with no warning', async () => {
    const warnings: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, cb) {
        warnings.push(String(chunk));
        cb();
      },
    });
    const logger = createLogger('warn', sink);
    const pool = createValidationPool({ threads: 1, logger, entry: new URL('../support/throwing-thread.mjs', import.meta.url) });
    try {
      await expect(pool.validate(items.slice(0, 3), ctx())).rejects.toThrow(/validating batch items failed in a thread: RangeError/);
      await expect(pool.validate(items.slice(0, 3), ctx())).rejects.toThrow(/RangeError/);
      expect(pool.counts()).toEqual({ inThreads: 0, inline: 0 });
      expect(warnings).toEqual([]);
    } finally {
      await pool.close();
    }
  });
});
