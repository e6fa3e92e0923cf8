/**
 * The project stage: a private Redis, the sandbox providers in this process, the API and N worker
 * processes (`withdrawals api`, `withdrawals worker`), one batch through `POST /v1/batches`, timed
 * from the request to the batch's `doneAt`, with memory, latency and provider request counts.
 */
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { request } from 'undici';
import { freePort, startRedisServer, type PrivateRedis } from '../src/demo/redis-server.ts';
import { createKeys } from '../src/keys.ts';
import { submitQueueName } from '../src/queues/names.ts';
import { fixedFault, startSandbox, type Fault, type RequestCounts } from '../src/providers/sandbox/index.ts';
import { benchAmountMsat } from './invoice-pool.ts';
import { latencyOf, type Latency } from './latency.ts';
import { memoryByFamily } from './memory.ts';
import { peakRssOf, spawnNode, type BenchChild } from './processes.ts';
import { commandCalls, commandDelta, commandMicros, redisCpuS, redisReads, usedMemory } from './redis-stats.ts';
import { count, countKeys, quarters, steadyRate, terminalCount } from './project-figures.ts';
import { waitFor } from './wait-for.ts';

export const BENCH_PREFIX = 'bench';
const TOKEN = 'bench-token-0000';

export interface ProjectOptions {
  label: string;
  invoices: readonly string[];
  /** Index in `invoices` of the first payout's invoice (default 0): the run pays the `n` from there. */
  firstInvoice?: number;
  n: number;
  workers: number;
  provider: 'turinpay' | 'aurpay';
  fault: Fault;
  env: Record<string, string>;
  /** Extra environment of the worker processes only (e.g. NODE_OPTIONS). */
  workerEnv?: Record<string, string>;
  /** Sandbox token bucket (requests/s per provider, all routes). */
  rateLimitPerSecond?: number;
  cpuProfDir?: string;
  /**
   * Hold the submit queue paused until the POST answers, so enqueue is timed alone (as `addBulk`
   * is) and the workers drain alone (as the ceiling worker does). Otherwise both share the machine.
   */
  pauseWhileEnqueueing: boolean;
  /** Metadata each withdrawal carries (none when absent). */
  metadata?: Record<string, string>;
  /** Extra redis-server arguments. */
  redisArgs: string[];
  /** Keep Redis running after the stage (the caller stops it). */
  keepRedis?: boolean;
  /** QUEUE_PREFIX of the deployment (default BENCH_PREFIX). */
  prefix?: string;
  /**
   * A Redis the caller runs (then `redisArgs` and `keepRedis` do not apply): `url` is the processes'
   * REDIS_URL (a Cluster's seeds, say), `nodeUrl` the node holding the prefix's slot, which the
   * bench reads its figures from.
   */
  external?: { url: string; nodeUrl: string };
  /** Awaited once the batch is stored, before the workers drain it (with the submit queue paused). */
  beforeDrain?: () => Promise<void>;
  /** Awaited as soon as the batch is done, before the figures are read (which runs commands of its own). */
  onDrained?: () => Promise<void>;
  log(m: string): void;
}

export interface ProjectResult {
  label: string;
  n: number;
  workers: number;
  accepted: number;
  enqueueS: number;
  enqueuePerS: number;
  totalS: number;
  /** Batch size over the time from the POST to the batch's `doneAt`. */
  settledPerS: number;
  /** Withdrawals settled after the POST answered, per second: the workers with the machine to themselves, as the ceiling's. */
  drainPerS: number;
  /** When the drain began (after `beforeDrain`) and when the batch was done, Unix ms. */
  drainStartMs: number;
  doneAtMs: number;
  /** Each worker's resident memory at a quarter, half, three quarters and the end of the run. */
  workerRssMiBByQuarter: Record<string, number[]>;
  byStatus: Record<string, number>;
  latencyMs: Latency;
  peakRssMiB: Record<string, number | null>;
  /** CPU time each process spent per withdrawal during the run (the sandbox runs in the bench process). */
  cpuMsPerWithdrawal: Record<string, number | null>;
  /** The same from the drain's start to the batch's end, per withdrawal drained: the API's enqueue and creates left out. */
  drainCpuMsPerWithdrawal: Record<string, number | null>;
  redisPeakRssMiB: number | null;
  redisUsedMemoryPeakMiB: number;
  redisBytesPerWithdrawal: number;
  /** MEMORY USAGE summed per key family (record `w`, history `h`, events, BullMQ jobs...). */
  redisBytesByKeyFamily: Record<string, { keys: number; bytesPerWithdrawal: number }>;
  /** Commands Redis ran per withdrawal (those inside Lua scripts included), and its CPU time. */
  redisCallsPerWithdrawal: number;
  /** Redis's own µs per withdrawal of its costliest commands (`evalsha` includes the commands scripts run; calls: redisTopCommands). */
  redisUsecByCommand: Record<string, number>;
  redisCpuUsPerWithdrawal: number;
  /** Socket reads Redis served per withdrawal (INFO total_reads_processed): round trips, pipelines counting once. */
  redisReadsPerWithdrawal: number;
  /** Calls per withdrawal of every command Redis ran (Lua-internal ones included), most first. */
  redisTopCommands: Record<string, number>;
  providerRequests: RequestCounts;
  providerRequestsPerS: number;
  /** Answered requests per second from the first answer to the last (sampled every 100 ms). */
  providerSteadyRequestsPerS: number;
  http429: number;
  duplicatePayments: number;
  redis?: PrivateRedis;
}

/** CPU seconds so far of each child process (by name), Redis (`redis`) and this process (`bench+sandbox`). */
async function cpuNow(children: readonly BenchChild[], redis: Redis): Promise<Record<string, number | null>> {
  const own = process.cpuUsage();
  const out: Record<string, number | null> = Object.fromEntries(children.map((c) => [c.name, c.cpuSeconds()]));
  out.redis = await redisCpuS(redis);
  out['bench+sandbox'] = (own.user + own.system) / 1e6;
  return out;
}

export async function runProject(o: ProjectOptions): Promise<ProjectResult> {
  const redisServer = o.external ? undefined : await startRedisServer(o.redisArgs);
  const redisUrl = o.external?.url ?? redisServer?.url ?? '';
  const prefix = o.prefix ?? BENCH_PREFIX;
  const sandbox = await startSandbox({
    network: 'regtest',
    aurpay: { apiKey: 'bench-aurpay-key' },
    turinpay: { apiKey: 'bench-turinpay-key' },
    faults: { aurpay: fixedFault(o.fault), turinpay: fixedFault(o.fault) },
    pendingLookups: 0,
    ...(o.rateLimitPerSecond ? { rateLimitPerSecond: o.rateLimitPerSecond } : {}),
  });
  const redis = new Redis(o.external?.nodeUrl ?? redisUrl, { maxRetriesPerRequest: null });
  const keys = createKeys(prefix);
  const port = await freePort();
  const env: Record<string, string> = {
    REDIS_URL: redisUrl,
    QUEUE_PREFIX: prefix,
    HOST: '127.0.0.1',
    PORT: String(port),
    API_TOKENS: `bench=${TOKEN}`,
    LN_NETWORK: 'regtest',
    AURPAY_BASE_URL: sandbox.aurpayUrl,
    AURPAY_API_KEY: 'bench-aurpay-key',
    TURINPAY_BASE_URL: sandbox.turinpayUrl,
    TURINPAY_API_KEY: 'bench-turinpay-key',
    LOG_LEVEL: 'warn',
    ...o.env,
  };
  const children: BenchChild[] = [];
  const watch = setInterval(() => {
    for (const c of children) c.peakRssMiB();
  }, 250);
  let keep = false;
  try {
    const api = spawnNode(`${o.label}-api`, ['bin/withdrawals.js', 'api'], { env, ...(o.cpuProfDir ? { cpuProfDir: o.cpuProfDir } : {}) });
    children.push(api);
    for (let w = 0; w < o.workers; w++) {
      children.push(
        spawnNode(`${o.label}-worker${w + 1}`, ['bin/withdrawals.js', 'worker'], { env: { ...env, ...o.workerEnv }, ...(o.cpuProfDir ? { cpuProfDir: o.cpuProfDir } : {}) }),
      );
    }
    const base = `http://127.0.0.1:${port}`;
    await waitFor('the API', async () => ((await request(`${base}/readyz`)).statusCode === 200 ? true : undefined), 30_000, children);
    const settleQueue = new Queue('settle', { connection: redis, prefix: keys.bullPrefix });
    await waitFor('the workers', async () => ((await settleQueue.getWorkersCount()) >= o.workers ? true : undefined), 30_000, children);
    await settleQueue.close();
    const submitQueue = new Queue(submitQueueName(o.provider), { connection: redis, prefix: keys.bullPrefix });
    if (o.pauseWhileEnqueueing) await submitQueue.pause();

    const batchId = `bench-${o.label}`;
    const first = o.firstInvoice ?? 0;
    const items = o.invoices.slice(first, first + o.n).map((invoice, i) => ({ id: `${o.label}-${i}`, provider: o.provider, invoice, amountMsat: benchAmountMsat(first + i).toString() }));
    // NDJSON: a JSON batch is limited to 4 MiB (interface.md, "Limits"); NDJSON is read as a stream.
    const body = items.map((item) => JSON.stringify(o.metadata ? { ...item, metadata: o.metadata } : item)).join('\n');
    const cpuAtStart = new Map(children.map((c) => [c.name, c.cpuSeconds() ?? 0]));
    const benchCpuStart = process.cpuUsage();
    const memBefore = await usedMemory(redis);
    const callsBefore = await commandCalls(redis);
    const microsBefore = await commandMicros(redis);
    const cpuBefore = await redisCpuS(redis);
    const readsBefore = await redisReads(redis);
    const t0 = Date.now();
    const res = await request(`${base}/v1/batches?id=${encodeURIComponent(batchId)}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/x-ndjson' },
      body,
      headersTimeout: 0,
      bodyTimeout: 0,
    });
    const answer = (await res.body.json()) as { accepted?: number; rejected?: unknown[] };
    const t1 = Date.now();
    if (res.statusCode !== 202) throw new Error(`POST /v1/batches answered ${res.statusCode}: ${JSON.stringify(answer).slice(0, 500)}`);
    await o.beforeDrain?.();
    // Each process's CPU from here to the batch's end: the drain alone, as the ceiling's is measured.
    const cpuAtDrain = await cpuNow(children, redis);
    const tDrain = Date.now();
    if (o.pauseWhileEnqueueing) await submitQueue.resume();
    await submitQueue.close();
    o.log(`${o.label}: enqueued ${answer.accepted} in ${((t1 - t0) / 1000).toFixed(1)} s (${answer.rejected?.length ?? 0} rejected)`);
    const terminalAtT1 = await terminalCount(redis, keys.batch(batchId));

    // Provider-side throughput: sample the sandbox's answer counts (it runs in this process).
    const samples: { t: number; ok: number }[] = [];
    const sampler = setInterval(() => samples.push({ t: Date.now(), ok: count(sandbox.requestCounts(), '200') }), 100);
    let lastLog = Date.now();
    const doneAt = await waitFor(
      'the batch to finish',
      async () => {
        const [done, terminal] = await redis.hmget(keys.batch(batchId), 'doneAt', 'n:succeeded');
        if (Date.now() - lastLog > 10_000) {
          lastLog = Date.now();
          o.log(`${o.label}: ${terminal ?? 0} succeeded after ${((Date.now() - t0) / 1000).toFixed(0)} s`);
        }
        return done ? Date.parse(done) : undefined;
      },
      3_600_000,
      children,
    );
    clearInterval(sampler);
    const cpuAtDone = await cpuNow(children, redis);
    await o.onDrained?.();
    samples.push({ t: Date.now(), ok: count(sandbox.requestCounts(), '200') });
    const summary = await redis.hgetall(keys.batch(batchId));
    const byStatus = Object.fromEntries(Object.entries(summary).filter(([k]) => k.startsWith('n:')).map(([k, v]) => [k.slice(2), Number(v)]).filter(([, v]) => Number(v) > 0));
    // Let the workers' completion bookkeeping (removeOnComplete) land, and expired histories go,
    // before measuring memory.
    await new Promise((r) => setTimeout(r, 1500));
    if (Number(o.env.HISTORY_RETENTION_S ?? 0) > 0) await waitFor('expired histories to go', async () => ((await countKeys(redis, `${keys.bullPrefix}:h:*`)) === 0 ? true : undefined), 60_000);
    const memAfter = await usedMemory(redis);
    const calls = commandDelta(callsBefore, await commandCalls(redis));
    const micros = commandDelta(microsBefore, await commandMicros(redis));
    // Where Redis's time went, per withdrawal: the costliest commands (scripts include what they run).
    const redisUsecByCommand = Object.fromEntries(Object.entries(micros.byCommand).sort((a, b) => b[1] - a[1]).slice(0, 8).map(([k, v]) => [k, +(v / o.n).toFixed(1)]));
    const callsOf = (cmd: string) => ((calls.byCommand[cmd] ?? 0) / o.n).toFixed(2);
    o.log(`${o.label}: Redis µs per withdrawal by command: ${Object.entries(redisUsecByCommand).map(([k, v]) => `${k} ${v} (${callsOf(k)} calls)`).join(', ')}`);
    const redisCpu = (await redisCpuS(redis)) - cpuBefore;
    const reads = (await redisReads(redis)) - readsBefore;
    const latency = await latencyOf(redis, keys, items.map((i) => i.id));
    const families = await memoryByFamily(redis, prefix);
    const redisBytesByKeyFamily = Object.fromEntries(
      Object.entries(families).sort((a, b) => b[1].bytes - a[1].bytes).map(([k, v]) => [k, { keys: v.keys, bytesPerWithdrawal: Math.round(v.bytes / o.n) }]),
    );
    const counts = sandbox.requestCounts();
    const requests = count(counts, '200');
    const peakRssMiB: Record<string, number | null> = {};
    const cpuMsPerWithdrawal: Record<string, number | null> = {};
    const cpuStart = Object.fromEntries(children.map((c) => [c.name, cpuAtStart.get(c.name) ?? 0]));
    for (const c of children) {
      const name = c.name.replace(`${o.label}-`, '');
      const cpu = c.cpuSeconds();
      cpuMsPerWithdrawal[name] = cpu === null ? null : ((cpu - (cpuStart[c.name] ?? 0)) * 1000) / o.n;
      peakRssMiB[name] = await c.stop();
    }
    const benchCpu = process.cpuUsage(benchCpuStart);
    cpuMsPerWithdrawal.redis = (redisCpu * 1000) / o.n;
    cpuMsPerWithdrawal['bench+sandbox'] = (benchCpu.user + benchCpu.system) / 1000 / o.n;
    const drained = Math.max(1, o.n - terminalAtT1);
    const drainCpuMsPerWithdrawal = Object.fromEntries(
      Object.entries(cpuAtDone).map(([k, v]) => [k.replace(`${o.label}-`, ''), v === null || cpuAtDrain[k] === null || cpuAtDrain[k] === undefined ? null : ((v - cpuAtDrain[k]) * 1000) / drained]),
    );
    const result: ProjectResult = {
      label: o.label,
      n: o.n,
      workers: o.workers,
      accepted: answer.accepted ?? 0,
      enqueueS: (t1 - t0) / 1000,
      enqueuePerS: (answer.accepted ?? 0) / ((t1 - t0) / 1000),
      totalS: (doneAt - t0) / 1000,
      settledPerS: o.n / ((doneAt - t0) / 1000),
      drainPerS: doneAt > tDrain ? (o.n - terminalAtT1) / ((doneAt - tDrain) / 1000) : o.n / ((doneAt - t0) / 1000),
      drainStartMs: tDrain,
      doneAtMs: doneAt,
      workerRssMiBByQuarter: Object.fromEntries(
        children.filter((c) => c.name.includes('-worker')).map((c) => [c.name.replace(`${o.label}-`, ''), quarters(c.rssSamples, t0, doneAt)]),
      ),
      byStatus,
      latencyMs: latency,
      peakRssMiB,
      cpuMsPerWithdrawal,
      drainCpuMsPerWithdrawal,
      redisPeakRssMiB: redisServer ? peakRssOf(redisServer.process.pid) : null,
      redisUsedMemoryPeakMiB: memAfter.peak / 1048576,
      redisBytesPerWithdrawal: (memAfter.used - memBefore.used) / o.n,
      redisBytesByKeyFamily,
      redisCallsPerWithdrawal: calls.total / o.n,
      redisUsecByCommand,
      redisCpuUsPerWithdrawal: (redisCpu * 1e6) / o.n,
      redisReadsPerWithdrawal: reads / o.n,
      redisTopCommands: Object.fromEntries(Object.entries(calls.byCommand).sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, +(v / o.n).toFixed(2)])),
      providerRequests: counts,
      providerRequestsPerS: requests / ((doneAt - t0) / 1000),
      providerSteadyRequestsPerS: steadyRate(samples),
      http429: count(counts, '429'),
      duplicatePayments: sandbox.ledger.duplicates().length,
    };
    if (o.keepRedis && redisServer) {
      keep = true;
      result.redis = redisServer;
    }
    return result;
  } finally {
    clearInterval(watch);
    await Promise.all(children.map((c) => c.stop()));
    await redis.quit();
    await sandbox.close();
    if (!keep) await redisServer?.stop();
  }
}
