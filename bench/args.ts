/** Command-line options of `npm run bench`. */
import { parseArgs } from 'node:util';
import { FAULTS, type Fault } from '../src/providers/sandbox/index.ts';

export const STAGES = ['ceiling', 'floor', 'project', 'scale', 'sweep', 'ratelimit', 'latency'] as const;
export type Stage = (typeof STAGES)[number];

export interface BenchArgs {
  /** Batch sizes of the project stage; the largest is `n`. */
  sizes: number[];
  n: number;
  concurrency: number;
  pollMs: number;
  provider: 'turinpay' | 'aurpay';
  fault: Fault;
  /** Size of the 1-vs-2-worker-process comparison. */
  scaleN: number;
  /** Sandbox limit (requests/s) of the rate-limited stage, and how many seconds of work it gets. */
  rateLimit: number;
  rateSeconds: number;
  stages: Stage[];
  profile: boolean;
  /** Let the workers run while the batch is being enqueued (default: submit queue paused until the POST answers). */
  overlap: boolean;
  out: string;
  ceilingTarget: 'sandbox' | 'echo';
  /** V8 old-space limit of the worker processes, MiB (0: Node's default). */
  workerHeapMb: number;
  eventsMaxLen: number;
  jobRetentionCount: number;
  historyRetentionS: number;
  /** Redis's hash-max-listpack-value for every stage's Redis (0: Redis's default, 64). */
  hashMaxListpackValue: number;
  /** Size of each payout's metadata as JSON, bytes (0: none). */
  metadataBytes: number;
  /** Latency stage: single payouts per provider and settle time, and the settle times (ms after submit). */
  latencyN: number;
  latencySettleMs: number[];
}

const USAGE = `usage: npm run bench -- [--n N | --sizes 10000,100000] [--stages ${STAGES.join(',')}]
  [--concurrency C] [--poll-ms MS] [--provider turinpay|aurpay] [--fault none|pending_then_success]
  [--scale-n N] [--rate-limit L] [--rate-seconds S] [--ceiling-target sandbox|echo] [--profile] [--overlap] [--out FILE]
  [--events-max-len 10000] [--job-retention-count 1000] [--history-retention-s 1] [--worker-heap-mb 128]
  [--hash-max-listpack-value 1024 (0: Redis's default)] [--metadata-bytes 0 (each payout's metadata as JSON; at most 8192)] [--latency-n 5] [--latency-settle-ms 0,1500,10000]`;

function positive(name: string, raw: string | undefined, def: number): number {
  if (raw === undefined) return def;
  const v = Number(raw);
  if (!Number.isInteger(v) || v < 1) throw new Error(`--${name} must be a positive integer\n${USAGE}`);
  return v;
}

function nonNegative(name: string, raw: string | undefined, def: number): number {
  if (raw === undefined) return def;
  const v = Number(raw);
  if (!Number.isInteger(v) || v < 0) throw new Error(`--${name} must be a whole number\n${USAGE}`);
  return v;
}

/** `{"note":"xxx..."}` is 11 bytes of JSON around the note. */
const METADATA_FRAME = 11;

function metadataBytes(raw: string | undefined): number {
  const v = nonNegative('metadata-bytes', raw, 0);
  if (v !== 0 && (v <= METADATA_FRAME || v > 8192)) throw new Error(`--metadata-bytes must be 0 or ${METADATA_FRAME + 1}..8192\n${USAGE}`);
  return v;
}

/** Metadata whose JSON text is exactly `bytes` long, or none. */
export function benchMetadata(bytes: number): Record<string, string> | undefined {
  return bytes > 0 ? { note: 'x'.repeat(bytes - METADATA_FRAME) } : undefined;
}

export function parseBenchArgs(argv: string[]): BenchArgs {
  const { values } = parseArgs({
    args: argv,
    options: {
      n: { type: 'string' },
      sizes: { type: 'string' },
      concurrency: { type: 'string' },
      'poll-ms': { type: 'string' },
      provider: { type: 'string' },
      fault: { type: 'string' },
      'scale-n': { type: 'string' },
      'rate-limit': { type: 'string' },
      'rate-seconds': { type: 'string' },
      stages: { type: 'string' },
      profile: { type: 'boolean' },
      overlap: { type: 'boolean' },
      'ceiling-target': { type: 'string' },
      'worker-heap-mb': { type: 'string' },
      'events-max-len': { type: 'string' },
      'job-retention-count': { type: 'string' },
      'history-retention-s': { type: 'string' },
      'hash-max-listpack-value': { type: 'string' },
      'latency-n': { type: 'string' },
      'metadata-bytes': { type: 'string' },
      'latency-settle-ms': { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const sizes = values.sizes
    ? values.sizes.split(',').map((s) => positive('sizes', s.trim(), 0))
    : values.n
      ? [positive('n', values.n, 100_000)]
      : [10_000, 100_000];
  const n = Math.max(...sizes);
  const provider = values.provider ?? 'turinpay';
  if (provider !== 'turinpay' && provider !== 'aurpay') throw new Error(`--provider must be turinpay or aurpay\n${USAGE}`);
  const fault = FAULTS.find((f) => f === (values.fault ?? 'none'));
  if (!fault) throw new Error(`--fault must be one of ${FAULTS.join(', ')}`);
  const stages = values.stages ? values.stages.split(',').map((s) => s.trim()) : [...STAGES];
  for (const s of stages) if (!STAGES.some((x) => x === s)) throw new Error(`unknown stage ${s}\n${USAGE}`);
  return {
    sizes,
    n,
    concurrency: positive('concurrency', values.concurrency, 20),
    pollMs: positive('poll-ms', values['poll-ms'], 20),
    provider,
    fault,
    scaleN: positive('scale-n', values['scale-n'], Math.min(n, 20_000)),
    rateLimit: positive('rate-limit', values['rate-limit'], 200),
    rateSeconds: positive('rate-seconds', values['rate-seconds'], 15),
    stages: stages as Stage[],
    profile: values.profile ?? false,
    overlap: values.overlap ?? false,
    out: values.out ?? 'bench/results/bench-results.json',
    ceilingTarget: values['ceiling-target'] === 'echo' ? 'echo' : 'sandbox',
    workerHeapMb: nonNegative('worker-heap-mb', values['worker-heap-mb'], 128),
    eventsMaxLen: nonNegative('events-max-len', values['events-max-len'], 10_000),
    jobRetentionCount: nonNegative('job-retention-count', values['job-retention-count'], 1000),
    historyRetentionS: nonNegative('history-retention-s', values['history-retention-s'], 1),
    hashMaxListpackValue: nonNegative('hash-max-listpack-value', values['hash-max-listpack-value'], 1024),
    metadataBytes: metadataBytes(values['metadata-bytes']),
    latencyN: positive('latency-n', values['latency-n'], 5),
    latencySettleMs: values['latency-settle-ms'] ? values['latency-settle-ms'].split(',').map((s) => nonNegative('latency-settle-ms', s.trim(), 0)) : [0, 1500, 10_000],
  };
}
