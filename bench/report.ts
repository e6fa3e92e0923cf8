/** The benchmark's table and its verdict on each target. */
import type { CeilingResult } from './ceiling.ts';
import { PART_ITEMS } from '../src/withdrawals/batch-parts.ts';
import type { ProjectResult } from './project.ts';
import type { SettleLatencyCase } from './settle-latency.ts';
import type { SweepCost } from './sweep-cost.ts';

export interface BenchResults {
  machine: { cpus: number; cpuModel: string; node: string; redis: string; loadAvgAtStart: number[] };
  date: string;
  /** Whether the workers ran while the batch was being enqueued (--overlap). */
  overlap: boolean;
  /** Extra redis-server arguments of every stage. */
  redisArgs: string[];
  ceiling?: CeilingResult;
  /** The ceiling's worker paying parts, each payout with the contract's two transitions (bench/floor-writes.ts). */
  floor?: CeilingResult;
  project?: ProjectResult[];
  scale?: { one: ProjectResult; two: ProjectResult; ratio: number };
  rateLimited?: { limitPerS: number; result: ProjectResult; requestsPerS: number; share: number; windows: number };
  sweep?: { empty: SweepCost; full: SweepCost };
  /** Single payouts at the default settings: time to terminal per provider and settle time. */
  settleLatency?: SettleLatencyCase[];
}

const f0 = (v: number | null | undefined) => (v === null || v === undefined ? '-' : v.toFixed(0));
const f1 = (v: number | null | undefined) => (v === null || v === undefined ? '-' : v.toFixed(1));

function row(cells: string[], widths: number[]): string {
  return cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 10) : c.padStart(widths[i] ?? 10))).join('  ');
}

function cpuLine(cpu: Record<string, number | null>): string {
  const total = Object.values(cpu).reduce<number>((a, v) => a + (v ?? 0), 0);
  return `${Object.entries(cpu).map(([k, v]) => `${k} ${v === null ? '-' : v.toFixed(2)}`).join(', ')}; total ${total.toFixed(2)}`;
}

export function formatTable(r: BenchResults): string {
  const lines: string[] = [];
  const ceil = r.ceiling;
  const widths = [30, 7, 10, 10, 8, 6, 7, 7, 8, 10, 9, 6, 6];
  lines.push(row(['run', 'n', 'enqueue/s', 'settled/s', 'drain/s', 'ratio', 'p50 ms', 'p99 ms', 'API MiB', 'worker MiB', 'Redis MiB', 'B/wd', 'cmd/wd'], widths));
  if (ceil) {
    lines.push(row([`ceiling: bare BullMQ, ${ceil.target}`, String(ceil.n), `${f0(ceil.addBulkPerS)}*`, '-', f0(ceil.processedPerS), '1.00', '-', '-', '-', f0(ceil.workerPeakRssMiB), f0(ceil.redisPeakRssMiB), '-', '-'], widths));
  }
  const fl = r.floor;
  if (fl) {
    lines.push(row(['floor: parts + 2 transitions', String(fl.n), '-', '-', f0(fl.processedPerS), ceil ? (fl.processedPerS / ceil.processedPerS).toFixed(2) : '-', '-', '-', '-', f0(fl.workerPeakRssMiB), f0(fl.redisPeakRssMiB), '-', '-'], widths));
  }
  const projectRow = (label: string, p: ProjectResult) => {
    const workers = Object.entries(p.peakRssMiB).filter(([k]) => k.startsWith('worker')).map(([, v]) => f0(v)).join('+');
    lines.push(
      row(
        [
          label,
          String(p.n),
          f0(p.enqueuePerS),
          f0(p.settledPerS),
          f0(p.drainPerS),
          ceil ? (p.drainPerS / ceil.processedPerS).toFixed(2) : '-',
          f0(p.latencyMs.p50),
          f0(p.latencyMs.p99),
          f0(p.peakRssMiB.api),
          workers,
          f0(p.redisPeakRssMiB),
          f0(p.redisBytesPerWithdrawal),
          f0(p.redisCallsPerWithdrawal),
        ],
        widths,
      ),
    );
  };
  for (const p of r.project ?? []) projectRow(`project, ${p.workers} worker process`, p);
  if (r.scale) {
    projectRow('scale-out: 1 worker process', r.scale.one);
    projectRow('scale-out: 2 worker processes', r.scale.two);
  }
  if (r.rateLimited) projectRow(`provider limited to ${r.rateLimited.limitPerS}/s`, r.rateLimited.result);
  if (ceil) {
    const rounds = ceil.addBulkPerSRounds.map(f0).join(', ');
    lines.push(`* BullMQ addBulk of ${ceil.n} jobs (the enqueue ceiling), median of ${ceil.addBulkPerSRounds.length} rounds (${rounds}/s).`);
  }
  lines.push(
    r.overlap
      ? '  settled/s: n over POST-to-done, enqueue and workers sharing the machine (--overlap);'
      : '  enqueue/s: the POST alone (submit queue paused, as addBulk runs with no worker); settled/s: n over POST-to-done;',
  );
  lines.push('  drain/s: settled per second after the POST answered (workers alone, like the ceiling worker); ratio: drain/s over the ceiling');
  if (fl) lines.push(`  floor: the ceiling's worker paying parts of ${PART_ITEMS}, each payout fenced, posted and its outcome recorded through the project's store (the contract's two transitions), nothing else`);
  lines.push(`  redis-server: ${r.redisArgs.length > 0 ? r.redisArgs.join(' ') : "Redis's defaults"} (B/wd: Redis memory per settled withdrawal)`);
  lines.push('');
  lines.push('CPU ms per withdrawal (per job for the ceiling), by process:');
  if (ceil) lines.push(`  ceiling: ${cpuLine(ceil.cpuMsPerJob)}`);
  if (fl) lines.push(`  floor: ${cpuLine(fl.cpuMsPerJob)}`);
  for (const p of r.project ?? []) lines.push(`  project n=${p.n}: ${cpuLine(p.cpuMsPerWithdrawal)}`);
  for (const p of r.project ?? []) lines.push(`  project n=${p.n}, the drain alone: ${cpuLine(p.drainCpuMsPerWithdrawal)}`);
  lines.push('Worker resident memory (MiB) at 1/4, 1/2, 3/4 and the end of each run:');
  for (const p of r.project ?? []) lines.push(`  n=${p.n}: ${Object.entries(p.workerRssMiBByQuarter).map(([k, v]) => `${k} ${v.join(' / ')}`).join(', ')}`);
  lines.push('');
  lines.push(...verdicts(r));
  return lines.join('\n');
}

export function verdicts(r: BenchResults): string[] {
  const out: string[] = [];
  const check = (ok: boolean, text: string) => out.push(`${ok ? 'PASS' : 'FAIL'}  ${text}`);
  const ceil = r.ceiling;
  const largest = r.project?.reduce<ProjectResult | undefined>((a, p) => (a && a.n >= p.n ? a : p), undefined);
  const smallest = r.project?.reduce<ProjectResult | undefined>((a, p) => (a && a.n <= p.n ? a : p), undefined);
  if (ceil && largest) {
    const ratio = largest.drainPerS / ceil.processedPerS;
    check(ratio >= 0.85, `workers settle ${f0(largest.drainPerS)}/s, ${(ratio * 100).toFixed(0)}% of the ceiling's ${f0(ceil.processedPerS)} jobs/s (target >= 85%; end to end with enqueue: ${f0(largest.settledPerS)}/s)`);
    const enq = largest.enqueuePerS / ceil.addBulkPerS;
    check(enq >= 0.5, `batch enqueue ${f0(largest.enqueuePerS)}/s is ${(enq * 100).toFixed(0)}% of addBulk ${f0(ceil.addBulkPerS)}/s (target >= 50%)`);
  }
  if (largest && smallest && largest !== smallest) {
    const peak = (p: ProjectResult) => Math.max(...Object.entries(p.peakRssMiB).filter(([k]) => k.startsWith('worker')).map(([, v]) => v ?? 0));
    const growth = peak(largest) / peak(smallest);
    check(growth <= 1.2, `worker peak RSS ${f0(peak(largest))} MiB at ${largest.n} vs ${f0(peak(smallest))} MiB at ${smallest.n}: x${growth.toFixed(2)} (target <= 1.2)`);
  }
  if (largest) {
    // Events and finished jobs are kept by count, not per payout: their share per payout falls as n grows.
    const bytesTarget = largest.n >= 100_000 ? 1024 : 2048;
    check(largest.redisBytesPerWithdrawal <= bytesTarget, `Redis memory per settled withdrawal ${f0(largest.redisBytesPerWithdrawal)} B at ${largest.n} (target <= ${bytesTarget} B${largest.n >= 100_000 ? '' : '; <= 1024 B from 100,000'})`);
    check(largest.redisCallsPerWithdrawal <= 50, `Redis commands per payout ${f1(largest.redisCallsPerWithdrawal)} at ${largest.n}, Lua-internal ones counted (target <= 50)`);
    check(largest.duplicatePayments === 0 && (largest.byStatus.succeeded ?? 0) === largest.n, `every payout succeeded exactly once (${largest.byStatus.succeeded ?? 0}/${largest.n}, ${largest.duplicatePayments} paid twice)`);
  }
  if (r.rateLimited) {
    const { share, limitPerS, result, windows } = r.rateLimited;
    check(share >= 0.95, `provider limited to ${limitPerS}/s: ${f1(r.rateLimited.requestsPerS)} requests/s = ${(share * 100).toFixed(1)}% of the limit (target >= 95%)`);
    check(result.http429 <= windows, `${result.http429} answers 429 in ${windows} one-second windows (target <= 1 per window)`);
  }
  if (r.sweep) {
    const { empty, full } = r.sweep;
    check(
      full.redisCommands <= empty.redisCommands * 1.05,
      `one sweep over ${full.inFlight} in flight: ${full.redisCommands} Redis commands, ${f0(full.ms)} ms with ${full.finishedRecords} finished records vs ${empty.redisCommands} commands, ${f0(empty.ms)} ms with ${empty.finishedRecords}`,
    );
  }
  if (ceil && r.floor) {
    const share = r.floor.processedPerS / ceil.processedPerS;
    out.push(`INFO  the floor (parts of ${PART_ITEMS}, each payout's two transitions and nothing else) drains ${f0(r.floor.processedPerS)}/s, ${(share * 100).toFixed(0)}% of the ceiling: about the most a worker fencing one payout at a time can reach`);
  }
  if (r.scale) out.push(`INFO  2 worker processes drain ${f0(r.scale.two.drainPerS)}/s vs 1: ${f0(r.scale.one.drainPerS)}/s (x${r.scale.ratio.toFixed(2)})`);
  return out;
}
