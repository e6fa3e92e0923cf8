/**
 * A throwaway Redis primary with replicas, watched by three Sentinels, all on loopback: private
 * `redis-server` processes (the Sentinels `redis-server <conf> --sentinel`, each with its own
 * writable config file, as Sentinel requires). Nothing here touches the shared test Redis.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ask } from './redis-probe.ts';
import { freePort } from '../../src/demo/redis-server.ts';
import { requireTool } from './prerequisites.ts';
import { startRedisServer, type PrivateRedis } from './redis-server.ts';

export const SENTINEL_NAME = 'mymaster';

export interface SentinelGroup {
  /** `127.0.0.1:P1,127.0.0.1:P2,127.0.0.1:P3`: REDIS_SENTINELS. */
  sentinels: string;
  /** Every data node, the first one the primary at start. */
  nodes: PrivateRedis[];
  /** The port of the primary the Sentinels name now. */
  primaryPort(): Promise<number>;
  /** SIGKILLs the primary the Sentinels name now; resolves with its port. */
  killPrimary(): Promise<number>;
  /** Resolves with the new primary's port once the Sentinels name one other than `oldPort` and it answers as a primary. */
  waitForPromotion(oldPort: number, timeoutMs: number): Promise<number>;
  /**
   * Starts the killed node on `port` again (same dir) as a replica of `primary` (the promoted one),
   * and resolves once that primary has as many replicas in sync as at the start: the group can lose
   * its primary again.
   */
  restoreNode(port: number, primary: number): Promise<void>;
  stop(): Promise<void>;
}

async function startSentinel(port: number, primaryPort: number, dir: string): Promise<ChildProcess> {
  const conf = join(dir, `sentinel-${port}.conf`);
  writeFileSync(
    conf,
    [
      `port ${port}`,
      'bind 127.0.0.1',
      `dir ${dir}`,
      `sentinel monitor ${SENTINEL_NAME} 127.0.0.1 ${primaryPort} 2`,
      `sentinel down-after-milliseconds ${SENTINEL_NAME} 1000`,
      `sentinel failover-timeout ${SENTINEL_NAME} 6000`,
      `sentinel parallel-syncs ${SENTINEL_NAME} 2`,
      '',
    ].join('\n'),
  );
  const child = spawn('redis-server', [conf, '--sentinel'], { stdio: 'ignore' });
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      await ask(port, (r) => r.ping());
      return child;
    } catch {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`redis sentinel did not start on port ${port}`);
      await sleep(50);
    }
  }
}

async function waitForReplicas(primaryPort: number, replicas: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await ask(primaryPort, (r) => r.info('replication')).catch(() => '')).match(/state=online/g)?.length !== replicas) {
    if (Date.now() > deadline) {
      const info = await ask(primaryPort, (r) => r.info('replication')).catch((err: Error) => err.message);
      throw new Error(`the primary on port ${primaryPort} did not have ${replicas} replicas online within ${timeoutMs} ms: ${info.replace(/\r?\n/g, ' ')}`);
    }
    await sleep(100);
  }
}

/** A primary, `replicas` replicas (in sync before this resolves) and three Sentinels (quorum 2). */
export async function startSentinelGroup(replicas = 2, redisArgs: string[] = []): Promise<SentinelGroup> {
  requireTool('redis-server');
  const dir = mkdtempSync(join(tmpdir(), 'wd-sentinel-'));
  const nodes: PrivateRedis[] = [];
  const sentinels: { port: number; proc: ChildProcess }[] = [];
  const stop = async () => {
    for (const s of sentinels) if (s.proc.exitCode === null && s.proc.signalCode === null) s.proc.kill('SIGKILL');
    await Promise.all(nodes.map((n) => n.stop()));
    for (const n of nodes) rmSync(n.dir, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const primary = await startRedisServer(redisArgs);
    nodes.push(primary);
    for (let i = 0; i < replicas; i++) nodes.push(await startRedisServer([...redisArgs, '--replicaof', '127.0.0.1', String(primary.port)]));
    await waitForReplicas(primary.port, replicas, 20_000);
    for (let i = 0; i < 3; i++) {
      const port = await freePort();
      sentinels.push({ port, proc: await startSentinel(port, primary.port, dir) });
    }
    // Each Sentinel must know the replicas (it learns them from the primary's INFO) and the other Sentinels.
    const ready = Date.now() + 20_000;
    for (;;) {
      const views = await Promise.all(
        sentinels.map((s) => ask(s.port, async (r) => (await r.call('SENTINEL', 'MASTER', SENTINEL_NAME)) as string[]).catch(() => [])),
      );
      const field = (v: string[], k: string) => Number(v[v.indexOf(k) + 1] ?? -1);
      if (views.every((v) => field(v, 'num-slaves') === replicas && field(v, 'num-other-sentinels') === 2)) break;
      if (Date.now() > ready) throw new Error('the Sentinels did not discover each other and the replicas within 20 s');
      await sleep(200);
    }
  } catch (err) {
    await stop();
    throw err;
  }

  /**
   * The primary a majority of the Sentinels name: right after a failover one of them may still name
   * the old one, and a port taken from it would be a dead node (or, restarted, a replica).
   */
  async function primaryPort(): Promise<number> {
    const named = await Promise.all(
      sentinels.map((s) => ask(s.port, (r) => r.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', SENTINEL_NAME) as Promise<string[]>).catch(() => null)),
    );
    const votes = new Map<number, number>();
    for (const addr of named) if (addr?.[1]) votes.set(Number(addr[1]), (votes.get(Number(addr[1])) ?? 0) + 1);
    for (const [port, n] of votes) if (n >= 2) return port;
    throw new Error(`no primary named by a majority of the Sentinels: ${JSON.stringify([...votes])}`);
  }

  return {
    sentinels: sentinels.map((s) => `127.0.0.1:${s.port}`).join(','),
    nodes,
    primaryPort,
    async killPrimary() {
      const port = await primaryPort();
      const node = nodes.find((n) => n.port === port);
      if (!node) throw new Error(`the primary on port ${port} is not one of this group's nodes`);
      await node.stop();
      return port;
    },
    async waitForPromotion(oldPort, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const port = await primaryPort().catch(() => oldPort);
        if (port !== oldPort) {
          const role = await ask(port, (r) => r.call('ROLE') as Promise<unknown[]>).catch(() => null);
          if (role?.[0] === 'master') return port;
        }
        if (Date.now() > deadline) throw new Error(`no replica was promoted within ${timeoutMs} ms`);
        await sleep(100);
      }
    },
    async restoreNode(port, primary) {
      const i = nodes.findIndex((n) => n.port === port);
      const old = nodes[i];
      if (!old) throw new Error(`port ${port} is not one of this group's nodes`);
      nodes[i] = await startRedisServer([...redisArgs, '--replicaof', '127.0.0.1', String(primary)], { port, dir: old.dir });
      // On a loaded machine the Sentinels may fail over once more (a failover slower than its
      // timeout is started again, with another replica): wait on whichever primary they name now.
      const deadline = Date.now() + 30_000;
      for (;;) {
        const now = await primaryPort().catch(() => primary);
        try {
          await waitForReplicas(now, replicas, 2_000);
          return;
        } catch (err) {
          if (Date.now() > deadline) throw err;
        }
      }
    },
    stop,
  };
}
