/** One-shot questions to a private Redis node on loopback, for the Sentinel and Cluster test groups. */
import { Redis } from 'ioredis';

/**
 * Opens a connection to `127.0.0.1:port` that fails at once instead of retrying (a killed node must
 * answer an error, not hang), runs `fn` on it and closes it.
 */
export async function ask<T>(port: number, fn: (r: Redis) => Promise<T>): Promise<T> {
  const r = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 1000 });
  r.on('error', () => {});
  try {
    await r.connect();
    return await fn(r);
  } finally {
    r.disconnect();
  }
}
