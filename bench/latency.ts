/** Time from acceptance to the terminal status, read back from the records (createdAt, updatedAt). */
import type { Redis } from 'ioredis';
import type { Keys } from '../src/keys.ts';

export interface Latency {
  p50: number;
  p99: number;
  max: number;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

export async function latencyOf(redis: Redis, keys: Keys, ids: readonly string[]): Promise<Latency> {
  const values: number[] = [];
  for (let i = 0; i < ids.length; i += 2000) {
    const pipe = redis.pipeline();
    for (const id of ids.slice(i, i + 2000)) pipe.hmget(keys.record(id), 'createdAt', 'updatedAt');
    for (const [err, row] of (await pipe.exec()) ?? []) {
      const [created, updated] = (err ? [] : row) as (string | null)[];
      if (created && updated) values.push(Date.parse(updated) - Date.parse(created));
    }
  }
  values.sort((a, b) => a - b);
  return { p50: percentile(values, 50), p99: percentile(values, 99), max: values[values.length - 1] ?? 0 };
}
