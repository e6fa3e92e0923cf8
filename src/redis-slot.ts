import type { Cluster, Redis } from 'ioredis';

const slots = new WeakMap<Cluster, Map<string, number>>();

/**
 * The cluster client's own connection to the master that holds `key`'s slot (one deployment's keys
 * share one slot), or null when its slot map names no master it knows. The slot is asked once per
 * key (`CLUSTER KEYSLOT`); the master is read from the client's slot map, refreshed by ioredis
 * after a failover.
 */
export async function slotMaster(cluster: Cluster, key: string): Promise<Redis | null> {
  let known = slots.get(cluster);
  if (!known) slots.set(cluster, (known = new Map()));
  let slot = known.get(key);
  if (slot === undefined) {
    slot = Number(await cluster.cluster('KEYSLOT', key));
    known.set(key, slot);
  }
  const owner = cluster.slots[slot]?.[0];
  return cluster.nodes('master').find((n) => `${n.options.host}:${n.options.port}` === owner) ?? null;
}
