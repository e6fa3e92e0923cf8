import { Redis } from 'ioredis';
import { redisServerOnPath, startRedisServer, type PrivateRedis } from './redis-server.ts';

async function answers(url: string): Promise<boolean> {
  const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 1000 });
  probe.on('error', () => {});
  try {
    await probe.connect();
    await probe.ping();
    return true;
  } catch {
    return false;
  } finally {
    probe.disconnect();
  }
}

/** The Redis at `url` if it answers; else a private redis-server when the binary is on PATH. */
export async function findOrStartRedis(url: string): Promise<{ url: string; private: PrivateRedis | null }> {
  if (await answers(url)) return { url, private: null };
  if (!redisServerOnPath()) {
    throw new Error(`no Redis answers at ${url} and redis-server is not on PATH: start Redis (apt-get install redis-server) or set REDIS_URL`);
  }
  const started = await startRedisServer();
  return { url: started.url, private: started };
}
