/**
 * Vitest set-up file of the Redis tiers: fails a test file that leaves sockets, servers, child
 * processes or worker threads open after its own afterAll hooks (see leak-guard.ts). The baseline
 * is taken here, before the test file is imported; the check is registered before the file's
 * hooks, and after* hooks run in reverse order (sequence.hooks: 'stack'), so it runs last.
 */
import { afterAll } from 'vitest';
import { takeSnapshot, waitForLeaks } from './leak-guard.ts';

const baseline = takeSnapshot();

afterAll(async () => {
  const leaks = await waitForLeaks(baseline);
  if (leaks.length > 0) {
    throw new Error(`the test file left open what it opened (close it in afterAll/afterEach or a finally):\n  ${leaks.join('\n  ')}`);
  }
});
