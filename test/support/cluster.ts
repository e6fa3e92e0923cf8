/**
 * A throwaway Redis Cluster on loopback: `redis-server --cluster-enabled yes` on free ports, joined
 * with `redis-cli --cluster create` (Debian: redis-tools). Masters only by default; with
 * `replicas: 1` each master gets a replica and a short node timeout, so that killing a master
 * (`killNode`) promotes its replica within a few seconds (`waitForPromotion`).
 */
import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { promisify } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { ask } from './redis-probe.ts';
import { requireTool } from './prerequisites.ts';
import { startRedisServer, type PrivateRedis } from './redis-server.ts';

const run = promisify(execFile);

export interface ClusterOptions {
  /** Replicas per master (`--cluster-replicas`). @defaultValue 0 */
  replicas?: 0 | 1;
  /** `--cluster-node-timeout` in ms. @defaultValue 5000 without replicas, 1000 with them */
  nodeTimeoutMs?: number;
  /** More `redis-server` arguments for every node (the bench's encoding settings). */
  redisArgs?: string[];
}

export interface LocalCluster {
  /** `redis+cluster://127.0.0.1:P1,127.0.0.1:P2`: two seeds, as an operator would write it. */
  url: string;
  /** The port of each node created with the cluster, masters first. */
  ports: number[];
  /** Every node, in the order of `ports`, then those added with `addReplica`. */
  nodes: PrivateRedis[];
  /** The port of the master that holds `key`'s slot now (a `{tag}` or any key). */
  slotMasterPort(key: string): Promise<number>;
  /**
   * Adds one more replica to the master on `masterPort` and resolves once it is in sync. A replica
   * promoted in a failover has no replica of its own; a master's second one follows the promoted
   * replica and keeps its writes replicated.
   */
  addReplica(masterPort: number): Promise<number>;
  /** SIGKILLs the node on `port` (its files stay until `stop`). */
  killNode(port: number): Promise<void>;
  /**
   * Resolves with the port of the node that took over the slots of the master killed on `oldPort`,
   * once it answers ROLE as a master and every surviving node reports `cluster_state:ok`.
   */
  waitForPromotion(oldPort: number, timeoutMs: number): Promise<number>;
  stop(): Promise<void>;
}

/** The port of the master serving `slot` in `port`'s view of the cluster, or null if none. */
async function ownerIn(port: number, slot: number): Promise<number | null> {
  const ranges = await ask(port, (r) => r.cluster('SLOTS'));
  const owner = ranges.find(([from, to]) => slot >= from && slot <= to)?.[2]?.[1];
  return owner === undefined ? null : Number(owner);
}

async function clusterOk(port: number, knownNodes?: number): Promise<boolean> {
  const info = String(await ask(port, (r) => r.cluster('INFO')).catch(() => ''));
  return (
    info.includes('cluster_state:ok') && info.includes('cluster_slots_assigned:16384') && (knownNodes === undefined || info.includes(`cluster_known_nodes:${knownNodes}`))
  );
}

/** A replica whose link to its master is up and whose initial sync is over. */
async function replicaInSync(port: number): Promise<boolean> {
  const info = await ask(port, (r) => r.info('replication')).catch(() => '');
  if (!/^role:slave\s*$/m.test(info)) return true;
  return /^master_link_status:up\s*$/m.test(info) && /^master_sync_in_progress:0\s*$/m.test(info);
}

export async function startCluster(masters = 3, opts: ClusterOptions = {}): Promise<LocalCluster> {
  requireTool('redis-server');
  requireTool('redis-cli');
  const replicas = opts.replicas ?? 0;
  const nodeTimeout = opts.nodeTimeoutMs ?? (replicas > 0 ? 1000 : 5000);
  const total = masters * (1 + replicas);
  const nodes: PrivateRedis[] = [];
  const stop = async () => {
    await Promise.all(nodes.map((n) => n.stop()));
    for (const n of nodes) rmSync(n.dir, { recursive: true, force: true });
  };
  async function startNode(): Promise<PrivateRedis> {
    // nodes.conf is relative to --dir, which is private to each node.
    const node = await startRedisServer(['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-node-timeout', String(nodeTimeout), ...(opts.redisArgs ?? [])]);
    nodes.push(node);
    return node;
  }
  try {
    for (let i = 0; i < total; i++) await startNode();
    const addrs = nodes.map((n) => `127.0.0.1:${n.port}`);
    // With replicas, redis-cli makes the first `masters` addresses the masters.
    await run('redis-cli', ['--cluster', 'create', ...addrs, '--cluster-replicas', String(replicas), '--cluster-yes'], { timeout: 30_000 });
    const deadline = Date.now() + 30_000;
    for (;;) {
      const ok = await Promise.all(nodes.map((n) => clusterOk(n.port, total)));
      const synced = await Promise.all(nodes.map((n) => replicaInSync(n.port)));
      if (ok.every(Boolean) && synced.every(Boolean)) break;
      if (Date.now() > deadline) throw new Error('the local Redis Cluster did not reach cluster_state:ok with every replica in sync within 30 s');
      await sleep(100);
    }
  } catch (err) {
    await stop();
    throw err;
  }
  const ports = nodes.map((n) => n.port);
  const killed = new Map<number, number>();
  const survivors = () => nodes.filter((n) => n.process.exitCode === null && n.process.signalCode === null).map((n) => n.port);

  async function slotOf(key: string): Promise<number> {
    const port = survivors()[0];
    if (port === undefined) throw new Error('no node of the local cluster is running');
    return Number(await ask(port, (r) => r.cluster('KEYSLOT', key)));
  }

  return {
    url: `redis+cluster://127.0.0.1:${ports[0]},127.0.0.1:${ports[1]}`,
    ports,
    nodes,
    async slotMasterPort(key) {
      const slot = await slotOf(key);
      for (const port of survivors()) {
        const owner = await ownerIn(port, slot).catch(() => null);
        if (owner !== null) return owner;
      }
      throw new Error(`no node of the local cluster names a master for slot ${slot}`);
    },
    async addReplica(masterPort) {
      const id = String(await ask(masterPort, (r) => r.cluster('MYID')));
      const node = await startNode();
      await run('redis-cli', ['--cluster', 'add-node', `127.0.0.1:${node.port}`, `127.0.0.1:${masterPort}`, '--cluster-slave', '--cluster-master-id', id], {
        timeout: 30_000,
      });
      const deadline = Date.now() + 30_000;
      for (;;) {
        const ok = await Promise.all(survivors().map((p) => clusterOk(p, nodes.length)));
        const role = await ask(node.port, (r) => r.call('ROLE') as Promise<unknown[]>).catch(() => null);
        if (ok.every(Boolean) && role?.[0] === 'slave' && Number(role[2]) === masterPort && role[3] === 'connected') return node.port;
        if (Date.now() > deadline) throw new Error(`the replica on port ${node.port} did not sync with port ${masterPort} within 30 s`);
        await sleep(100);
      }
    },
    async killNode(port) {
      const node = nodes.find((n) => n.port === port);
      if (!node) throw new Error(`port ${port} is not a node of this cluster`);
      // One slot it serves, to recognise its successor by.
      const ranges = await ask(port, (r) => r.cluster('SLOTS'));
      const mine = ranges.find((r) => Number(r[2]?.[1]) === port);
      if (mine) killed.set(port, mine[0]);
      await node.stop();
    },
    async waitForPromotion(oldPort, timeoutMs) {
      const slot = killed.get(oldPort);
      if (slot === undefined) throw new Error(`no master was killed on port ${oldPort}`);
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const alive = survivors();
        const owner = await ownerIn(alive[0] ?? oldPort, slot).catch(() => null);
        if (owner !== null && owner !== oldPort) {
          const role = await ask(owner, (r) => r.call('ROLE') as Promise<unknown[]>).catch(() => null);
          const ok = await Promise.all(alive.map((p) => clusterOk(p)));
          if (role?.[0] === 'master' && ok.every(Boolean)) return owner;
        }
        if (Date.now() > deadline) throw new Error(`no replica took over the slots of port ${oldPort} within ${timeoutMs} ms`);
        await sleep(100);
      }
    },
    stop,
  };
}
