import type { Redis } from 'ioredis';
import { createQueues, type Queues } from '../../src/queues/queues.ts';
import { BUILTIN_PROVIDER_NAMES } from '../../src/providers/index.ts';
import type { TestRedis } from './redis.ts';

/**
 * The service's queues under a test's prefix, on a connection of their own (BullMQ leaves a
 * connection it was handed open on close(): `close` quits it too). One try per submit job.
 */
export function testQueues(t: TestRedis): { queues: Queues; connection: Redis; close(): Promise<void> } {
  const connection = t.redis.duplicate();
  const queues = createQueues(connection, t.keys, { submitAttempts: 1, submitBackoffMs: 10, keepFinishedJobsS: 60, providers: BUILTIN_PROVIDER_NAMES });
  return {
    queues,
    connection,
    async close() {
      await queues.close();
      await connection.quit();
    },
  };
}
