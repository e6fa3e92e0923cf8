/**
 * A throwaway Redis Cluster on loopback: `redis-server --cluster-enabled yes` on free ports, joined
 * with `redis-cli --cluster create` (Debian: redis-tools), no replicas. For tests and benchmarks.
 */
import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { startRedisServer, type PrivateRedis } from './redis-server.ts';

const run = promisify(execFile);

export interface LocalCluster {
  /** `redis+cluster://127.0.0.1:P1,127.0.0.1:P2`: two seeds, as an operator would write it. */
  url: string;
  /** Every master's port, in the order they were started. */
  ports: number[];
  stop(): Promise<void>;
}

async function clusterReady(port: number, masters: number): Promise<boolean> {
  const probe = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  probe.on('error', () => {});
  try {
    await probe.connect();
    const info = String(await probe.cluster('INFO'));
    return info.includes('cluster_state:ok') && info.includes('cluster_slots_assigned:16384') && info.includes(`cluster_known_nodes:${masters}`);
  } catch {
    return false;
  } finally {
    probe.disconnect();
  }
}

/** Starts `masters` cluster-enabled redis-servers (extra arguments: `redisArgs`) and joins them. */
export async function startLocalCluster(masters = 3, redisArgs: string[] = []): Promise<LocalCluster> {
  const nodes: PrivateRedis[] = [];
  const stop = async () => {
    await Promise.all(nodes.map((n) => n.stop()));
    for (const n of nodes) rmSync(n.dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < masters; i++) {
      // nodes.conf is relative to --dir, which is private to each node.
      nodes.push(await startRedisServer(['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-node-timeout', '5000', ...redisArgs]));
    }
    const addrs = nodes.map((n) => `127.0.0.1:${n.port}`);
    await run('redis-cli', ['--cluster', 'create', ...addrs, '--cluster-replicas', '0', '--cluster-yes'], { timeout: 30_000 });
    const deadline = Date.now() + 20_000;
    for (;;) {
      const ready = await Promise.all(nodes.map((n) => clusterReady(n.port, masters)));
      if (ready.every(Boolean)) break;
      if (Date.now() > deadline) throw new Error('the local Redis Cluster did not reach cluster_state:ok within 20 s');
      await new Promise((r) => setTimeout(r, 100));
    }
  } catch (err) {
    await stop();
    throw err;
  }
  const ports = nodes.map((n) => n.port);
  return { url: `redis+cluster://127.0.0.1:${ports[0]},127.0.0.1:${ports[1]}`, ports, stop };
}
