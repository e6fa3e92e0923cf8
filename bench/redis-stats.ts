/** INFO sections of the benchmark's Redis, parsed. */
import type { Redis } from 'ioredis';

export async function info(redis: Redis, section: string): Promise<Record<string, string>> {
  const text = await redis.info(section);
  const out: Record<string, string> = {};
  for (const line of text.split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0 && !line.startsWith('#')) out[line.slice(0, i)] = line.slice(i + 1);
  }
  return out;
}

export async function usedMemory(redis: Redis): Promise<{ used: number; peak: number }> {
  const m = await info(redis, 'memory');
  return { used: Number(m.used_memory ?? 0), peak: Number(m.used_memory_peak ?? 0) };
}

/** One figure per command (`cmdstat_evalsha` → `evalsha`), from INFO commandstats. */
async function commandStat(redis: Redis, field: 'calls' | 'usec'): Promise<Record<string, number>> {
  const stats = await info(redis, 'commandstats');
  const pattern = new RegExp(`${field}=(\\d+)`);
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(stats)) {
    const m = pattern.exec(v);
    if (m?.[1]) out[k.replace(/^cmdstat_/, '')] = Number(m[1]);
  }
  return out;
}

/** Calls per command. */
export const commandCalls = (redis: Redis) => commandStat(redis, 'calls');

/**
 * Redis's own time per command (µs). A script's time (`evalsha`) includes the commands it runs,
 * which are counted under their own names too.
 */
export const commandMicros = (redis: Redis) => commandStat(redis, 'usec');

/** Commands run between two snapshots, total and by command, leaving out the INFO calls themselves. */
export function commandDelta(before: Record<string, number>, after: Record<string, number>): { total: number; byCommand: Record<string, number> } {
  const byCommand: Record<string, number> = {};
  let total = 0;
  for (const [cmd, n] of Object.entries(after)) {
    if (cmd === 'info') continue;
    const d = n - (before[cmd] ?? 0);
    if (d > 0) {
      byCommand[cmd] = d;
      total += d;
    }
  }
  return { total, byCommand };
}

/** Socket reads Redis has served (INFO total_reads_processed): round trips, pipelines counting once. */
export async function redisReads(redis: Redis): Promise<number> {
  return Number((await info(redis, 'stats')).total_reads_processed ?? 0);
}

/** CPU seconds Redis has used (INFO cpu, user plus system, main thread and the others). */
export async function redisCpuS(redis: Redis): Promise<number> {
  const cpu = await info(redis, 'cpu');
  return Number(cpu.used_cpu_user ?? 0) + Number(cpu.used_cpu_sys ?? 0);
}
