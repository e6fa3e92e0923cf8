/** Where Redis memory goes after a batch: bytes per key family (MEMORY USAGE, sampled for big families). */
import type { Redis } from 'ioredis';

/** `{bench}:w:p100-17` → `w`, `{bench}:settle:123` (or a `s_`, `t_`, `p_` job id) → `bull:settle:job`, `{bench}:settle:events` → `bull:settle:events`. */
function family(key: string): string {
  const rest = key.replace(/^\{[^}]*\}:/, '');
  const [head = '', second = ''] = rest.split(':');
  if (['submit-aurpay', 'submit-turinpay', 'settle', 'maintenance', 'webhooks'].includes(head)) {
    return `bull:${head}:${/^\d+$|^[stp]_/.test(second) ? 'job' : second}`;
  }
  return head;
}

export async function memoryByFamily(redis: Redis, prefix: string): Promise<Record<string, { keys: number; bytes: number }>> {
  const out: Record<string, { keys: number; bytes: number }> = {};
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', `{${prefix}}*`, 'COUNT', 5000);
    cursor = next;
    const pipe = redis.pipeline();
    for (const k of found) pipe.memory('USAGE', k, 'SAMPLES', '0');
    const sizes = (await pipe.exec()) ?? [];
    found.forEach((k, i) => {
      const f = family(k);
      const e = (out[f] ??= { keys: 0, bytes: 0 });
      e.keys++;
      e.bytes += Number(sizes[i]?.[1] ?? 0);
    });
  } while (cursor !== '0');
  return out;
}
