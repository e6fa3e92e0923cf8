/**
 * REDIS_MIN_REPLICAS_ACK on Redis Cluster: the WAIT goes to the master that holds the deployment's
 * slot, over the cluster client's own connection to it. On a cluster without replicas no replica can
 * confirm, so a create is refused as unconfirmed (the API's 503) and a fence allows no provider
 * call; with nothing asked for, both go through. On a cluster with a replica per master, the slot's
 * master's replica confirms both, and holds them once they are confirmed.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKeys } from '../../src/keys.ts';
import { BUILTIN_PROVIDER_NAMES } from '../../src/providers/index.ts';
import { closeRedis, createRedis, type RedisClient } from '../../src/redis.ts';
import { createStore, ReplicationShortfallError } from '../../src/withdrawals/store.ts';
import { startCluster, type LocalCluster } from '../support/cluster.ts';
import { newWithdrawal } from '../support/new-withdrawal.ts';

describe('REDIS_MIN_REPLICAS_ACK on Redis Cluster without replicas', () => {
  let cluster: LocalCluster;
  let redis: RedisClient;
  beforeAll(async () => {
    cluster = await startCluster(3);
    redis = createRedis(cluster.url, { role: 'worker', connectionName: 'test-cluster-ack' });
  }, 60_000);
  afterAll(async () => {
    if (redis) await closeRedis(redis);
    await cluster?.stop();
  });

  it('with no replica to confirm, a create is unconfirmed and a fence refused; with none asked for, both go through', async () => {
    const keys = createKeys('cluster-ack');
    const shortfalls: string[] = [];
    const strict = createStore({ redis, keys, eventsMaxLen: 0, replicaAck: { count: 1, timeoutMs: 100 }, onShortfall: (k) => shortfalls.push(k), providers: BUILTIN_PROVIDER_NAMES });
    const plain = createStore({ redis, keys, eventsMaxLen: 0, providers: BUILTIN_PROVIDER_NAMES });

    await expect(strict.create(newWithdrawal('c1'))).rejects.toBeInstanceOf(ReplicationShortfallError);
    // Stored on the master all the same, as the 503 says it may be.
    expect((await plain.read('c1'))?.status).toBe('queued');
    await expect(strict.transition('c1', { from: 'queued', to: 'submitting', newFence: 'f1', countAttempt: true, cause: 'test' })).rejects.toBeInstanceOf(
      ReplicationShortfallError,
    );
    expect(shortfalls).toEqual(['create', 'fence']);

    expect((await plain.create(newWithdrawal('c2'))).kind).toBe('created');
    expect(await plain.transition('c2', { from: 'queued', to: 'submitting', newFence: 'f2', countAttempt: true, cause: 'test' })).toEqual({ ok: true });
  });
});

describe('REDIS_MIN_REPLICAS_ACK on Redis Cluster with a replica per master', () => {
  let cluster: LocalCluster;
  let redis: RedisClient;
  beforeAll(async () => {
    cluster = await startCluster(3, { replicas: 1 });
    redis = createRedis(cluster.url, { role: 'worker', connectionName: 'test-cluster-ack-replicas' });
  }, 60_000);
  afterAll(async () => {
    if (redis) await closeRedis(redis);
    await cluster?.stop();
  });

  it("confirms a create and a fence through the slot's master, whose replica then holds them", async () => {
    const keys = createKeys('cluster-ack-replicated');
    const shortfalls: string[] = [];
    const strict = createStore({ redis, keys, eventsMaxLen: 0, replicaAck: { count: 1, timeoutMs: 2000 }, onShortfall: (k) => shortfalls.push(k), providers: BUILTIN_PROVIDER_NAMES });

    expect((await strict.create(newWithdrawal('r1'))).kind).toBe('created');
    expect(await strict.transition('r1', { from: 'queued', to: 'submitting', newFence: 'f1', countAttempt: true, cause: 'test' })).toEqual({ ok: true });
    expect(shortfalls).toEqual([]);

    // The replica of the master holding the slot has the fenced record.
    const master = await cluster.slotMasterPort(keys.record('r1'));
    const replica = await replicaOf(master);
    try {
      await replica.call('READONLY');
      expect(await replica.hget(keys.record('r1'), 'status')).toBe('submitting');
    } finally {
      replica.disconnect();
    }
  });
});

/** A connection to the (only) replica of the master on `port`. */
async function replicaOf(port: number): Promise<Redis> {
  const master = new Redis({ host: '127.0.0.1', port });
  try {
    const role = (await master.call('ROLE')) as [string, number, [string, string, string][]];
    const replicaPort = Number(role[2][0]?.[1]);
    expect(role[2]).toHaveLength(1);
    return new Redis({ host: '127.0.0.1', port: replicaPort });
  } finally {
    master.disconnect();
  }
}
