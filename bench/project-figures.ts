/** Figures of the project stage: keys counted, terminal withdrawals, memory by quarter, provider answers. */
import type { Redis } from 'ioredis';
import type { RequestCounts } from '../src/providers/sandbox/index.ts';

export async function countKeys(redis: Redis, pattern: string): Promise<number> {
  let cursor = '0';
  let n = 0;
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 10_000);
    cursor = next;
    n += found.length;
  } while (cursor !== '0');
  return n;
}

export async function terminalCount(redis: Redis, batchKey: string): Promise<number> {
  const v = await redis.hmget(batchKey, 'n:succeeded', 'n:failed', 'n:needs_review', 'n:cancelled');
  return v.reduce((sum, x) => sum + Number(x ?? 0), 0);
}

export function quarters(samples: readonly { t: number; mib: number }[], t0: number, t1: number): number[] {
  return [0.25, 0.5, 0.75, 1].map((q) => {
    const at = t0 + q * (t1 - t0);
    const s = samples.filter((x) => x.t <= at);
    return Math.round(s[s.length - 1]?.mib ?? 0);
  });
}

export function steadyRate(samples: readonly { t: number; ok: number }[]): number {
  const last = samples[samples.length - 1];
  const first = samples.find((x) => x.ok > 0);
  const end = samples.find((x) => x.ok === last?.ok);
  if (!first || !end || end.t <= first.t) return 0;
  return (end.ok - first.ok) / ((end.t - first.t) / 1000);
}

export function count(counts: RequestCounts, answer: string): number {
  let n = 0;
  for (const routes of Object.values(counts)) for (const answers of Object.values(routes)) n += answers[answer] ?? 0;
  return n;
}
