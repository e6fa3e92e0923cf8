/**
 * A throwaway three-master Redis Cluster on loopback (src/demo/redis-cluster.ts), with a one-line
 * message naming the package to install when `redis-server` or `redis-cli` is missing.
 */
import { startLocalCluster, type LocalCluster } from '../../src/demo/redis-cluster.ts';
import { requireTool } from './prerequisites.ts';

export type { LocalCluster };

export async function startCluster(masters = 3): Promise<LocalCluster> {
  requireTool('redis-server');
  requireTool('redis-cli');
  return startLocalCluster(masters);
}
