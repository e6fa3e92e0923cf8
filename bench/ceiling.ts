/** The ceiling stage: BullMQ's own addBulk rate, then a bare worker doing one loopback POST per job. */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { startRedisServer } from '../src/demo/redis-server.ts';
import { peakRssOf, spawnNode } from './processes.ts';
import { fixedFault, startSandbox } from '../src/providers/sandbox/index.ts';
import { redisCpuS, usedMemory } from './redis-stats.ts';
import { createHash } from 'node:crypto';
import { benchAmountMsat } from './invoice-pool.ts';
import { storeFloorRecords } from './floor-writes.ts';
import { PART_ITEMS } from '../src/withdrawals/batch-parts.ts';

const ADD_BULK_ROUNDS = 3;
/** The floor's store: its keys share the queue's hash tag (`{bench}`), so its scripts and the queue's live in one slot. */
const FLOOR_PREFIX = 'bench';
const FLOOR_BATCH = 'floor';

export interface CeilingResult {
  /** The floor: jobs were parts of payouts, each with the contract's two transitions (bench/floor-writes.ts). */
  floor: boolean;
  n: number;
  concurrency: number;
  /** Median of the rounds. */
  addBulkPerS: number;
  addBulkPerSRounds: number[];
  processedPerS: number;
  target: CeilingTarget;
  /** CPU time per job of each process (the worker's includes its start-up). */
  cpuMsPerJob: Record<string, number>;
  workerPeakRssMiB: number | null;
  redisPeakRssMiB: number | null;
  redisUsedMemoryPeakMiB: number;
}

/** One POST answered 200 with a tiny JSON body: the least work a provider call can be. */
async function startEchoServer(): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"ok":true}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/withdrawals`,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** Where the bare worker's POSTs go: the sandbox (the same provider work per payout as the project) or a trivial server. */
export type CeilingTarget = 'sandbox' | 'echo';

async function startTarget(target: CeilingTarget): Promise<{ url: string; apiKey: string; close(): Promise<void> }> {
  if (target === 'echo') return { ...(await startEchoServer()), apiKey: '' };
  const sandbox = await startSandbox({ network: 'regtest', turinpay: { apiKey: 'bench-turinpay-key' }, faults: { turinpay: fixedFault('none') }, pendingLookups: 0 });
  return { url: `${sandbox.turinpayUrl}/withdrawals`, apiKey: 'bench-turinpay-key', close: () => sandbox.close() };
}

export async function runCeiling(
  n: number,
  concurrency: number,
  target: CeilingTarget,
  invoices: readonly string[],
  log: (m: string) => void,
  redisArgs: string[] = [],
  floor = false,
): Promise<CeilingResult> {
  if (floor && target !== 'sandbox') throw new Error('the floor pays invoices: it needs the sandbox target');
  const label = floor ? 'floor' : 'ceiling';
  const redisServer = await startRedisServer(redisArgs);
  const echo = await startTarget(target);
  const redis = new Redis(redisServer.url, { maxRetriesPerRequest: null });
  const prefix = '{bench}';
  const queue = new Queue('ceiling', { connection: redis, prefix, defaultJobOptions: { removeOnComplete: { age: 3600, count: 10_000 } } });
  try {
    await queue.waitUntilReady();
    const jobs = Array.from({ length: n }, (_, i) => ({
      name: 'submit',
      data: target === 'sandbox' ? { id: `c-${i}`, invoice: invoices[i] ?? '' } : { id: `c-${i}` },
      opts: { jobId: `s_c${i}_r0` },
    }));
    // The floor's jobs are parts of PART_ITEMS payouts, as a batch's (BullMQ's work shared by a part).
    const parts = Array.from({ length: Math.ceil(n / PART_ITEMS) }, (_, k) => ({
      name: 'submit',
      data: { id: `part-${k}`, items: jobs.slice(k * PART_ITEMS, (k + 1) * PART_ITEMS).map((j) => j.data) },
      opts: { jobId: `part-${k}` },
    }));
    // addBulk is timed ADD_BULK_ROUNDS times (the median counts): one shot on a shared machine
    // varied by 2x between runs. The last round fills the queue the bare worker drains (the floor's:
    // once, its parts).
    const addBulkSeconds: number[] = [];
    for (let round = floor ? ADD_BULK_ROUNDS : 1; round <= ADD_BULK_ROUNDS; round++) {
      const last = round === ADD_BULK_ROUNDS;
      const batch: { name: string; data: object; opts: { jobId: string } }[] = floor ? parts : jobs;
      const into = last ? queue : new Queue(`ceiling-add-${round}`, { connection: redis, prefix });
      const t0 = performance.now();
      for (let i = 0; i < batch.length; i += 10_000) await into.addBulk(batch.slice(i, i + 10_000));
      addBulkSeconds.push((performance.now() - t0) / 1000);
      if (!last) {
        await into.obliterate({ force: true });
        await into.close();
      }
    }
    const addBulkS = [...addBulkSeconds].sort((a, b) => a - b)[Math.floor(addBulkSeconds.length / 2)] ?? 0;
    if (!floor) log(`${label}: addBulk ${n} jobs in ${addBulkSeconds.map((x) => x.toFixed(2)).join(' / ')} s (median ${addBulkS.toFixed(2)})`);

    const floorEnv: Record<string, string> = {};
    if (floor) {
      const items = jobs.map((j, i) => ({ id: j.data.id, invoice: invoices[i] ?? '', paymentHash: createHash('sha256').update(j.data.id).digest('hex'), amountMsat: benchAmountMsat(i) }));
      await storeFloorRecords(redis, FLOOR_PREFIX, FLOOR_BATCH, items);
      Object.assign(floorEnv, { STORE_PREFIX: FLOOR_PREFIX, BATCH_ID: FLOOR_BATCH });
    }
    const worker = spawnNode(`${label}-worker`, ['bin/run-ts.js', 'bench/ceiling-worker.ts'], {
      env: { REDIS_URL: redisServer.url, QUEUE: 'ceiling', PREFIX: prefix, CONCURRENCY: String(concurrency), TARGET_URL: echo.url, API_KEY: echo.apiKey, N: String(n), ...floorEnv },
    });
    type Done = { first: number; last: number; maxRssMiB: number; cpuS: number };
    const benchCpuStart = process.cpuUsage();
    const redisCpuStart = await redisCpuS(redis);
    const result = await new Promise<Done>((resolve, reject) => {
      worker.onLine((line) => {
        if (line.includes('"ceiling"')) resolve((JSON.parse(line) as { ceiling: Done }).ceiling);
      });
      worker.process.once('exit', (code) => reject(new Error(`ceiling worker exited with ${code}: ${worker.tail()}`)));
    });
    await worker.stop();
    const processedPerS = n / ((result.last - result.first) / 1000);
    log(floor
      ? `floor: bare worker, parts of ${PART_ITEMS}, two transitions per payout: ${processedPerS.toFixed(0)} payouts/s at concurrency ${concurrency}`
      : `ceiling: bare worker ${processedPerS.toFixed(0)} jobs/s at concurrency ${concurrency} (POST to ${target})`);
    const benchCpu = process.cpuUsage(benchCpuStart);
    const cpuMsPerJob = {
      worker: (result.cpuS * 1000) / n,
      redis: (((await redisCpuS(redis)) - redisCpuStart) * 1000) / n,
      [`bench+${target}`]: (benchCpu.user + benchCpu.system) / 1000 / n,
    };
    const mem = await usedMemory(redis);
    return {
      floor,
      n,
      concurrency,
      addBulkPerS: n / addBulkS,
      addBulkPerSRounds: addBulkSeconds.map((x) => n / x),
      processedPerS,
      target,
      cpuMsPerJob,
      workerPeakRssMiB: result.maxRssMiB,
      redisPeakRssMiB: peakRssOf(redisServer.process.pid),
      redisUsedMemoryPeakMiB: mem.peak / 1048576,
    };
  } finally {
    await queue.close();
    await redis.quit();
    await echo.close();
    await redisServer.stop();
  }
}
