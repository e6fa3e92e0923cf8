/**
 * Scaling past one shard: the same payouts drained (a) by one deployment, one QUEUE_PREFIX and its
 * workers, and (b) by two deployments at once, half each, whose prefixes hash to slots on two
 * different masters of a private three-master Redis Cluster, each with as many workers as (a).
 * Each deployment is a project stage (bench/project.ts: its API, its workers, its sandbox providers);
 * both drain from the same moment. Prints payouts/s of each, (b)/(a), and each master's commands/s
 * and CPU during the drain, as JSON in --out too.
 *
 *   node ./bin/run-ts.js bench/cluster-prefixes.ts [--n 4000] [--workers 1] [--rounds 2]
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { startCluster } from '../test/support/cluster.ts';
import { clusterMasters, loadBetween, type ClusterMasters, type MasterLoad, type MasterSnapshot } from './cluster-masters.ts';
import { invoicePool } from './invoice-pool.ts';
import { projectEnv, projectWorkerEnv, redisArgsFor } from './project-env.ts';
import { runProject, type ProjectResult } from './project.ts';

const { values } = parseArgs({
  options: {
    n: { type: 'string', default: '4000' },
    workers: { type: 'string', default: '1' },
    rounds: { type: 'string', default: '2' },
    concurrency: { type: 'string', default: '20' },
    out: { type: 'string', default: 'bench/results/cluster-prefixes.json' },
  },
});
const N = Number(values.n);
const WORKERS = Number(values.workers);
const ROUNDS = Number(values.rounds);
for (const [name, v] of Object.entries({ n: N, workers: WORKERS, rounds: ROUNDS, concurrency: Number(values.concurrency) })) {
  if (!Number.isInteger(v) || v < 1) throw new Error(`--${name} must be a positive integer`);
}
if (N % 2 !== 0) throw new Error('--n must be even: two deployments take half each');
const log = (m: string) => console.error(`[cluster-prefixes ${new Date().toISOString().slice(11, 19)}] ${m}`);

/** Whole-machine busy CPU (all cores) from /proc/stat, as [busy, total] ticks. */
function machineTicks(): [number, number] {
  const fields = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
  const total = fields.reduce((a, b) => a + b, 0);
  const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
  return [total - idle, total];
}

interface Deployment {
  prefix: string;
  firstInvoice: number;
  n: number;
}

interface PhaseResult {
  label: string;
  deployments: { prefix: string; slot: number; masterPort: number; result: ProjectResult }[];
  payoutsPerS: number;
  drainS: number;
  /** Busy share of all the machine's cores during the drain (0..1). */
  machineBusy: number;
  masters: MasterLoad[];
}

/**
 * Runs the deployments at once: each stores its batch with its submit queue paused, and when all
 * have, every master is snapshotted and all drains start. A master's window ends when the deployment
 * on it is done, an idle master's when the last one is; only then does each read its figures.
 */
async function phase(label: string, masters: ClusterMasters, url: string, invoices: readonly string[], deployments: Deployment[]): Promise<PhaseResult> {
  const before = new Map<number, MasterSnapshot>();
  const after = new Map<number, MasterSnapshot>();
  let ticksBefore: [number, number] = [0, 0];
  let ticksAfter: [number, number] = [0, 0];
  let arrived = 0;
  let release!: () => void;
  let abort!: (err: unknown) => void;
  const started = new Promise<void>((resolve, reject) => {
    release = resolve;
    abort = reject;
  });
  started.catch(() => {});
  let drained = 0;
  let allDrained!: () => void;
  let abortEnd!: (err: unknown) => void;
  const ended = new Promise<void>((resolve, reject) => {
    allDrained = resolve;
    abortEnd = reject;
  });
  ended.catch(() => {});
  const env = projectEnv({ concurrency: Number(values.concurrency), pollMs: 20, eventsMaxLen: 10_000, jobRetentionCount: 1000, historyRetentionS: 1 });
  const placed = await Promise.all(deployments.map(async (d) => ({ ...d, slot: await masters.slotOf(d.prefix) })));
  const runs = placed.map((d, i) => {
    const masterPort = masters.masterOf(d.slot);
    return runProject({
      label: `${label}${deployments.length > 1 ? `-${i + 1}` : ''}`,
      prefix: d.prefix,
      external: { url, nodeUrl: masters.nodeUrl(masterPort) },
      invoices,
      firstInvoice: d.firstInvoice,
      n: d.n,
      workers: WORKERS,
      provider: 'turinpay',
      fault: 'none',
      env,
      workerEnv: projectWorkerEnv(128),
      pauseWhileEnqueueing: true,
      redisArgs: [],
      log,
      beforeDrain: async () => {
        if (++arrived === deployments.length) {
          for (const port of masters.ports) before.set(port, await masters.snapshot(port));
          ticksBefore = machineTicks();
          release();
        }
        await started;
      },
      // Each deployment reads its figures (commands of its own) only once every drain is over.
      onDrained: async () => {
        after.set(masterPort, await masters.snapshot(masterPort));
        if (++drained === deployments.length) {
          ticksAfter = machineTicks();
          for (const port of masters.ports) if (!after.has(port)) after.set(port, await masters.snapshot(port));
          allDrained();
        }
        await ended;
      },
    })
      .then((result) => ({ prefix: d.prefix, slot: d.slot, masterPort, result }))
      .catch((err: unknown) => {
        abort(err);
        abortEnd(err);
        throw err;
      });
  });
  const done = await Promise.all(runs);
  const last = Math.max(...done.map((d) => d.result.doneAtMs));
  const first = Math.min(...done.map((d) => d.result.drainStartMs));
  const loads: MasterLoad[] = [];
  for (const port of masters.ports) {
    const b = before.get(port);
    if (!b) throw new Error(`no snapshot of master ${port} before the drain`);
    const a = after.get(port);
    if (!a) throw new Error(`no snapshot of master ${port} after the drain`);
    loads.push(loadBetween(port, b, a));
  }
  const total = deployments.reduce((s, d) => s + d.n, 0);
  return {
    label,
    deployments: done,
    payoutsPerS: total / ((last - first) / 1000),
    drainS: (last - first) / 1000,
    machineBusy: (ticksAfter[0] - ticksBefore[0]) / (ticksAfter[1] - ticksBefore[1]),
    masters: loads,
  };
}

function describe(p: PhaseResult): string {
  const lines = [`${p.label}: ${p.payoutsPerS.toFixed(0)} payouts/s (${p.drainS.toFixed(1)} s), machine ${(p.machineBusy * 100).toFixed(0)}% busy`];
  for (const d of p.deployments) {
    const cpu = Object.entries(d.result.cpuMsPerWithdrawal).map(([k, v]) => `${k} ${v === null ? '-' : v.toFixed(2)}`).join(', ');
    lines.push(`  {${d.prefix}} slot ${d.slot} on :${d.masterPort}: ${d.result.n} in ${d.result.drainPerS.toFixed(0)}/s, ${JSON.stringify(d.result.byStatus)}, CPU ms/payout: ${cpu}`);
  }
  if (p.deployments.length > 1) lines.push('  (bench+sandbox is the whole bench process, which serves every deployment: counted once per deployment)');
  for (const m of p.masters) lines.push(`  master :${m.port}: ${m.commandsPerS.toFixed(0)} commands/s, CPU ${(m.cpuShare * 100).toFixed(0)}% of a core`);
  return lines.join('\n');
}

const loadAtStart = loadavg();
log(`load average at start ${loadAtStart.map((x) => x.toFixed(2)).join(' ')} on ${cpus().length} cores`);
const invoices = await invoicePool(N, log);
const cluster = await startCluster(3, { redisArgs: redisArgsFor(1024) });
const masters = await clusterMasters(cluster.ports);
const rounds: { one: PhaseResult; two: PhaseResult; ratio: number }[] = [];
try {
  const candidates = Array.from({ length: 64 }, (_, i) => `payouts-${i}`);
  const [p1, p2] = await masters.prefixesOnTwoMasters(candidates);
  log(`prefixes {${p1}} and {${p2}}: slots ${await masters.slotOf(p1)} and ${await masters.slotOf(p2)}`);
  for (let r = 1; r <= ROUNDS; r++) {
    await masters.flushAll();
    const one = await phase(`one-r${r}`, masters, cluster.url, invoices, [{ prefix: p1, firstInvoice: 0, n: N }]);
    console.log(describe(one));
    await masters.flushAll();
    const two = await phase(`two-r${r}`, masters, cluster.url, invoices, [
      { prefix: p1, firstInvoice: 0, n: N / 2 },
      { prefix: p2, firstInvoice: N / 2, n: N / 2 },
    ]);
    console.log(describe(two));
    const ratio = two.payoutsPerS / one.payoutsPerS;
    console.log(`round ${r}: two deployments / one = ${ratio.toFixed(2)}\n`);
    rounds.push({ one, two, ratio });
  }
} finally {
  masters.close();
  await cluster.stop();
}
mkdirSync(dirname(values.out), { recursive: true });
writeFileSync(values.out, `${JSON.stringify({ date: new Date().toISOString(), n: N, workersPerDeployment: WORKERS, cpus: cpus().length, loadAvgAtStart: loadAtStart, rounds }, null, 2)}\n`);
console.log(`ratios: ${rounds.map((r) => r.ratio.toFixed(2)).join(', ')}; results: ${values.out}`);
