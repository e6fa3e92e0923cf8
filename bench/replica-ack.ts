/**
 * What REDIS_MIN_REPLICAS_ACK=1 costs the store, on a private primary with one replica on loopback:
 * the same creates and submit fences with no WAIT and with one, in the same run. Creates go in
 * concurrent waves (as a batch stores them: one WAIT per create.lua call of up to 64), fences one
 * at a time (as one worker slot makes them: one WAIT each).
 *
 *   node ./bin/run-ts.js bench/replica-ack.ts [--n 5000]
 */
import { rmSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { startRedisServer } from '../src/demo/redis-server.ts';
import { createKeys } from '../src/keys.ts';
import { BUILTIN_PROVIDER_NAMES } from '../src/providers/index.ts';
import { createStore, type NewWithdrawal } from '../src/withdrawals/store.ts';

const { values } = parseArgs({ options: { n: { type: 'string', default: '5000' } } });
const N = Number(values.n);

function withdrawal(id: string): NewWithdrawal {
  return {
    id,
    owner: 'default',
    provider: 'turinpay',
    bodyHash: 'h',
    invoice: 'lnbcrt1bench',
    address: null,
    paymentHash: null,
    amountMsat: 1000n,
    sendAmountMsat: null,
    batchId: null,
    description: null,
    metadata: null,
    reconcileDeadline: Date.now() + 3_600_000,
  };
}

async function stage(redis: Redis, count: number, label: string): Promise<void> {
  const store = createStore({ redis, keys: createKeys(`bench-${label}`), eventsMaxLen: 0, replicaAck: { count, timeoutMs: 1000 }, providers: BUILTIN_PROVIDER_NAMES });
  let t = performance.now();
  for (let i = 0; i < N; i += 1024) {
    await Promise.all(Array.from({ length: Math.min(1024, N - i) }, (_, k) => store.create(withdrawal(`w${i + k}`))));
  }
  const createS = (performance.now() - t) / 1000;
  const fences = Math.min(N, 2000);
  t = performance.now();
  for (let i = 0; i < fences; i++) {
    await store.transition(`w${i}`, { from: 'queued', to: 'submitting', newFence: `f${i}`, countAttempt: true, cause: 'bench' });
  }
  const fenceMs = (performance.now() - t) / fences;
  console.info(`${label.padEnd(10)} creates: ${Math.round(N / createS)}/s (${N} in ${createS.toFixed(2)} s); fences one at a time: ${fenceMs.toFixed(3)} ms each (${fences})`);
}

const primary = await startRedisServer(['--appendonly', 'no']);
const replica = await startRedisServer(['--replicaof', '127.0.0.1', String(primary.port)]);
const redis = new Redis(primary.url, { enableAutoPipelining: true });
try {
  while (!/state=online/.test(await redis.info('replication'))) await sleep(50);
  for (const round of [1, 2, 3]) {
    await stage(redis, 0, `no-wait-${round}`);
    await stage(redis, 1, `wait-1-${round}`);
  }
} finally {
  redis.disconnect();
  for (const node of [replica, primary]) {
    await node.stop();
    rmSync(node.dir, { recursive: true, force: true });
  }
}
