/**
 * The masters of a Redis Cluster as the benchmark sees them: which master holds a slot, prefixes
 * whose hash tags land on different masters (CLUSTER KEYSLOT against CLUSTER SLOTS), and each
 * master's commands and CPU time (INFO commandstats, INFO cpu) between two snapshots.
 */
import { Redis } from 'ioredis';
import { commandCalls, commandDelta, redisCpuS } from './redis-stats.ts';

export interface MasterSnapshot {
  at: number;
  calls: Record<string, number>;
  cpuS: number;
}

export interface MasterLoad {
  port: number;
  seconds: number;
  commands: number;
  commandsPerS: number;
  /** Redis CPU time over wall time: 1 is one core busy. */
  cpuShare: number;
}

export interface ClusterMasters {
  ports: number[];
  nodeUrl(port: number): string;
  /** The port of the master serving `slot`. */
  masterOf(slot: number): number;
  /** The slot of every key of a deployment: that of its hash tag `{prefix}`. */
  slotOf(prefix: string): Promise<number>;
  /** The first of `candidates` and the first after it whose slots are on two different masters. */
  prefixesOnTwoMasters(candidates: readonly string[]): Promise<[string, string]>;
  snapshot(port: number): Promise<MasterSnapshot>;
  flushAll(): Promise<void>;
  close(): void;
}

export function loadBetween(port: number, before: MasterSnapshot, after: MasterSnapshot): MasterLoad {
  const seconds = (after.at - before.at) / 1000;
  const commands = commandDelta(before.calls, after.calls).total;
  return { port, seconds, commands, commandsPerS: commands / seconds, cpuShare: (after.cpuS - before.cpuS) / seconds };
}

export async function clusterMasters(ports: readonly number[]): Promise<ClusterMasters> {
  const nodes = new Map(ports.map((port) => [port, new Redis({ host: '127.0.0.1', port, maxRetriesPerRequest: null })]));
  const node = (port: number): Redis => {
    const n = nodes.get(port);
    if (!n) throw new Error(`no master on port ${port}`);
    return n;
  };
  const first = node(ports[0] ?? 0);
  // CLUSTER SLOTS: [start, end, [host, port, id], ...replicas] per range.
  const ranges = (await first.cluster('SLOTS')).map(([start, end, master]) => ({ start, end, port: Number(master?.[1]) }));
  const masterOf = (slot: number): number => {
    const r = ranges.find((x) => slot >= x.start && slot <= x.end);
    if (!r) throw new Error(`slot ${slot} has no master`);
    return r.port;
  };
  const slotOf = async (prefix: string): Promise<number> => Number(await first.cluster('KEYSLOT', `{${prefix}}`));
  return {
    ports: [...ports],
    nodeUrl: (port) => `redis://127.0.0.1:${port}`,
    masterOf,
    slotOf,
    async prefixesOnTwoMasters(candidates) {
      const [head, ...rest] = candidates;
      if (head === undefined) throw new Error('no candidate prefix');
      const headMaster = masterOf(await slotOf(head));
      for (const c of rest) if (masterOf(await slotOf(c)) !== headMaster) return [head, c];
      throw new Error(`every candidate prefix hashes to the master on port ${headMaster}`);
    },
    async snapshot(port) {
      const n = node(port);
      const [calls, cpuS] = await Promise.all([commandCalls(n), redisCpuS(n)]);
      return { at: Date.now(), calls, cpuS };
    },
    async flushAll() {
      await Promise.all([...nodes.values()].map((n) => n.flushall()));
    },
    close() {
      for (const n of nodes.values()) n.disconnect();
    },
  };
}
