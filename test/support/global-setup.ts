import type { TestProject } from 'vitest/node';
import { redisServerOnPath, startRedisServer, type PrivateRedis } from '../../src/demo/redis-server.ts';
import { missingToolMessage, prerequisiteError } from './prerequisites.ts';

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
    // One line, not the Docker client's stack: the usual fix is installing redis-server. Why Docker
    // failed stays in it, in case that was the way meant.
    const docker = (cause instanceof Error ? cause.message : String(cause)).split('\n')[0];
    throw prerequisiteError(
      `No Redis for the tests: ${missingToolMessage('redis-server')}, or set REDIS_URL=redis://HOST:PORT, or start a Docker engine (testcontainers: ${docker})`,
    );
  }
}

export async function teardown(): Promise<void> {
  await privateRedis?.stop();
  await container?.stop();
}
