/**
 * `npm run bench [-- --sizes 10000,100000]`: the project against the raw BullMQ ceiling on this
 * machine. A benchmark, not a test (docs/performance.md). Prints a table, writes JSON to --out.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname } from 'node:path';
import { execFileSync } from 'node:child_process';
import { startRedisServer } from '../src/demo/redis-server.ts';
import { benchMetadata, parseBenchArgs } from './args.ts';
import { runCeiling } from './ceiling.ts';
import { invoicePool } from './invoice-pool.ts';
import { BENCH_PREFIX, runProject, type ProjectOptions } from './project.ts';
import { projectEnv, projectWorkerEnv, redisArgsFor } from './project-env.ts';
import { formatTable, type BenchResults } from './report.ts';
import { formatSettleLatency, runSettleLatency } from './settle-latency.ts';
import { measureSweep } from './sweep-cost.ts';

const args = parseBenchArgs(process.argv.slice(2));
const log = (m: string) => console.error(`[bench ${new Date().toISOString().slice(11, 19)}] ${m}`);
const redisArgs = redisArgsFor(args.hashMaxListpackValue);
const results: BenchResults = {
  date: new Date().toISOString(),
  overlap: args.overlap,
  redisArgs,
  machine: {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    node: process.version,
    redis: execFileSync('redis-server', ['--version']).toString().trim(),
    loadAvgAtStart: loadavg(),
  },
};
if ((results.machine.loadAvgAtStart[0] ?? 0) > results.machine.cpus) log(`load average ${loadavg()[0]?.toFixed(1)}: other work on this machine will skew the figures`);

const env = projectEnv(args);
const profile = args.profile ? { cpuProfDir: 'bench/results/profiles' } : {};
const needsInvoices = args.stages.some((s) => s === 'project' || s === 'floor' || s === 'scale' || s === 'ratelimit' || (s === 'ceiling' && args.ceilingTarget === 'sandbox'));
const invoices = needsInvoices ? await invoicePool(Math.max(args.n, args.scaleN, args.rateLimit * args.rateSeconds), log) : [];
const workerEnv = projectWorkerEnv(args.workerHeapMb);
const metadata = args.metadataBytes > 0 ? { metadata: benchMetadata(args.metadataBytes) } : {};
const base = (label: string, n: number): ProjectOptions => ({ label, invoices, n, workers: 1, provider: args.provider, fault: args.fault, env, workerEnv, log, pauseWhileEnqueueing: !args.overlap, redisArgs, ...profile, ...metadata });

if (args.stages.includes('ceiling')) results.ceiling = await runCeiling(args.n, args.concurrency, args.ceilingTarget, invoices, log, redisArgs);
// The ceiling's worker paying parts with the contract's two transitions per payout, nothing else: how near the ceiling a worker fencing one payout at a time comes.
if (args.stages.includes('floor')) results.floor = await runCeiling(args.n, args.concurrency, 'sandbox', invoices, log, redisArgs, true);

let fullRedis: Awaited<ReturnType<typeof startRedisServer>> | undefined;
if (args.stages.includes('project')) {
  results.project = [];
  for (const size of [...args.sizes].sort((a, b) => a - b)) {
    const keep = size === args.n && args.stages.includes('sweep');
    const r = await runProject({ ...base(`p${size}`, size), keepRedis: keep });
    if (r.redis) fullRedis = r.redis;
    delete r.redis;
    results.project.push(r);
  }
}

if (args.stages.includes('sweep')) {
  const empty = await startRedisServer(redisArgs);
  try {
    const emptyCost = await measureSweep(empty.url, BENCH_PREFIX, 1000);
    const fullCost = fullRedis ? await measureSweep(fullRedis.url, BENCH_PREFIX, 1000) : emptyCost;
    results.sweep = { empty: emptyCost, full: fullCost };
  } finally {
    await empty.stop();
    await fullRedis?.stop();
  }
}

if (args.stages.includes('scale')) {
  const one = await runProject(base(`s${args.scaleN}x1`, args.scaleN));
  const two = await runProject({ ...base(`s${args.scaleN}x2`, args.scaleN), workers: 2 });
  results.scale = { one, two, ratio: two.drainPerS / one.drainPerS };
}

if (args.stages.includes('ratelimit')) {
  const limit = args.rateLimit;
  const n = limit * args.rateSeconds;
  const result = await runProject({
    ...base(`r${limit}`, n),
    rateLimitPerSecond: limit,
    env: { ...env, TURINPAY_RATE_LIMIT_PER_S: String(limit), AURPAY_RATE_LIMIT_PER_S: String(limit) },
  });
  const requestsPerS = result.providerSteadyRequestsPerS;
  results.rateLimited = { limitPerS: limit, result, requestsPerS, share: requestsPerS / limit, windows: Math.ceil(result.totalS) };
}

if (args.stages.includes('latency')) {
  // Its own invoices (few), so that `--stages latency` alone signs no 100,000.
  const n = 2 * args.latencySettleMs.length * args.latencyN;
  const cases = await runSettleLatency({ providers: ['aurpay', 'turinpay'], settleMs: args.latencySettleMs, perCase: args.latencyN, invoices: await invoicePool(n, log), log });
  results.settleLatency = cases;
}

mkdirSync(dirname(args.out), { recursive: true });
writeFileSync(args.out, `${JSON.stringify(results, null, 2)}\n`);
const tabled = results.ceiling || results.floor || results.project || results.scale || results.rateLimited || results.sweep;
console.log(`${tabled ? `\n${formatTable(results)}\n` : ''}\nmachine: ${results.machine.cpus} x ${results.machine.cpuModel}, Node ${results.machine.node}, ${results.machine.redis.split(' ').slice(0, 3).join(' ')}`);
if (results.settleLatency) console.log(`\nsingle payouts at the default settings, acceptance to terminal status:\n${formatSettleLatency(results.settleLatency)}`);
console.log(`results: ${args.out}`);
