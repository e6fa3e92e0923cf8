/**
 * `startRedisServer` for tests: the same private redis-server as the demo's, but a missing binary
 * fails with one line saying how to install it (spawning it would end in an unhandled ENOENT).
 */
import { startRedisServer as startServer, type PrivateRedis } from '../../src/demo/redis-server.ts';
import { requireTool } from './prerequisites.ts';

export type { PrivateRedis };

export async function startRedisServer(...args: Parameters<typeof startServer>): Promise<PrivateRedis> {
  requireTool('redis-server');
  return startServer(...args);
}
