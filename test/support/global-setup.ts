import type { TestProject } from 'vitest/node';
import { redisServerOnPath, startRedisServer, type PrivateRedis } from '../../src/demo/redis-server.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
  }
}

let privateRedis: PrivateRedis | undefined;
let container: { stop(): Promise<unknown> } | undefined;

/**
 * Finds a Redis for the tests: REDIS_URL if set; else a private redis-server on a free port;
 * else a testcontainers Redis when a Docker engine answers; else fails saying how to get one.
 */
export async function setup(project: TestProject): Promise<void> {
  const fromEnv = process.env.REDIS_URL;
  if (fromEnv) {
    project.provide('redisUrl', fromEnv);
    return;
  }
  if (redisServerOnPath()) {
    privateRedis = await startRedisServer();
    project.provide('redisUrl', privateRedis.url);
    return;
  }
  try {
    const { GenericContainer } = await import('testcontainers');
    const started = await new GenericContainer('redis:7-alpine')
      .withCommand(['redis-server', '--maxmemory-policy', 'noeviction', '--appendonly', 'yes'])
      .withExposedPorts(6379)
      .start();
    container = started;
    project.provide('redisUrl', `redis://${started.getHost()}:${started.getMappedPort(6379)}`);
  } catch (cause) {
    throw new Error(
      'No Redis for the tests: set REDIS_URL=redis://HOST:PORT, or put redis-server on PATH ' +
        '(Debian: apt-get install redis-server), or start a Docker engine for testcontainers.',
      { cause },
    );
  }
}

export async function teardown(): Promise<void> {
  await privateRedis?.stop();
  await container?.stop();
}
