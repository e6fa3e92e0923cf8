/**
 * The ceiling: a bare BullMQ worker that makes one loopback HTTP POST per job and nothing else
 * (to the sandbox's TurinPay `POST /withdrawals` with the job's invoice, or to a trivial server).
 * With STORE_PREFIX set (the floor), a job is a part of payouts (`items`, as the project's batch
 * parts), paid one after the other, each with the two transitions the contract asks of every payout
 * through the project's own store: the fence before its POST, the outcome after it.
 * Run as its own process by ceiling.ts; prints one JSON line when `N` jobs are done, then exits.
 */
import { randomUUID } from 'node:crypto';
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { Agent, request } from 'undici';
import { contractWrites } from './floor-writes.ts';

const env = (k: string): string => {
  const v = process.env[k];
  if (!v) throw new Error(`ceiling-worker: ${k} is not set`);
  return v;
};
const n = Number(env('N'));
const target = env('TARGET_URL');
const apiKey = process.env.API_KEY ?? '';
const connection = new Redis(env('REDIS_URL'), { maxRetriesPerRequest: null });
const dispatcher = new Agent({ connections: 256 });
const writes = process.env.STORE_PREFIX ? contractWrites(connection, process.env.STORE_PREFIX, process.env.BATCH_ID ?? null) : null;
let done = 0;
let first = 0;
let last = 0;

interface Payout {
  id: string;
  invoice?: string;
}

/** One POST, as the project's TurinPay client sends it (with an invoice), or a bare id for the echo server. */
async function post(p: Payout): Promise<number> {
  const res = await request(target, {
    method: 'POST',
    dispatcher,
    headers: { 'content-type': 'application/json', accept: 'application/json', 'x-api-key': apiKey },
    body: JSON.stringify(p.invoice ? { address: p.invoice, type: 'ln' } : { id: p.id }),
  });
  await res.body.text();
  return res.statusCode;
}

/** The floor's payout: fenced, posted, its outcome recorded. */
async function pay(p: Payout): Promise<void> {
  const fence = randomUUID();
  await writes?.fence(p.id, fence);
  await post(p);
  await writes?.outcome(p.id, fence);
}

const worker = new Worker<Payout & { items?: Payout[] }>(
  env('QUEUE'),
  async (job) => {
    if (first === 0) first = Date.now();
    if (!job.data.items) return post(job.data);
    for (const p of job.data.items) await pay(p);
    return 200;
  },
  { connection, prefix: env('PREFIX'), concurrency: Number(env('CONCURRENCY')) },
);
worker.on('completed', (job) => {
  done += job.data.items?.length ?? 1;
  last = Date.now();
  if (done === n) {
    const cpu = process.cpuUsage();
    console.log(JSON.stringify({ ceiling: { count: done, first, last, maxRssMiB: process.resourceUsage().maxRSS / 1024, cpuS: (cpu.user + cpu.system) / 1e6 } }));
    void worker.close().then(() => connection.quit()).then(() => dispatcher.close()).then(() => process.exit(0));
  }
});
await worker.waitUntilReady();
console.log(JSON.stringify({ ready: true }));
