/**
 * Time to terminal of single payouts at the default settings: a private Redis, the sandbox providers
 * in this process settling at submit or a set time after it, the API and one worker process with no
 * SETTLE_* variable set. One payout at a time, so each figure is the provider's settle time plus what
 * the project adds, not queueing. Lookups per payout are the provider's status reads it served.
 */
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { request } from 'undici';
import { freePort, startRedisServer } from '../src/demo/redis-server.ts';
import { createKeys } from '../src/keys.ts';
import { fixedFault, startSandbox, type RequestCounts, type SandboxProvider } from '../src/providers/sandbox/index.ts';
import { benchAmountMsat } from './invoice-pool.ts';
import { percentile } from './latency.ts';
import { spawnNode, type BenchChild } from './processes.ts';

const PREFIX = 'lat';
const TOKEN = 'latency-token-0000';
/** The provider's status-read route, as the sandbox counts it. */
const LOOKUP_ROUTE: Record<SandboxProvider, string> = { aurpay: 'GET /api/v2/tx', turinpay: 'GET /withdrawals' };
const TERMINAL = new Set(['succeeded', 'failed', 'needs_review', 'cancelled']);

export interface SettleLatencyOptions {
  providers: readonly SandboxProvider[];
  /** Settle times after the submit, ms; 0 = the provider answers paid at submit. */
  settleMs: readonly number[];
  /** Payouts per provider and settle time, one after the other. */
  perCase: number;
  /** Invoices to pay (at least providers × settleMs × perCase), invoice i of amount benchAmountMsat(i). */
  invoices: readonly string[];
  /** Extra environment of the API and worker (empty: the defaults). */
  env?: Record<string, string>;
  log(m: string): void;
}

export interface SettleLatencyCase {
  provider: SandboxProvider;
  settleMs: number;
  n: number;
  /** Record's updatedAt - createdAt of each payout, ms (acceptance to terminal status). */
  timesMs: number[];
  p50: number;
  max: number;
  statuses: Record<string, number>;
  /** Status reads the provider served, per payout (mean) and at most. */
  lookupsPerPayout: number;
  maxLookups: number;
  /** Whether every payout ended within the settle time + 500 ms. */
  withinTarget: boolean;
}

function lookups(counts: RequestCounts, provider: SandboxProvider): number {
  return Object.values(counts[provider][LOOKUP_ROUTE[provider]] ?? {}).reduce((a, b) => a + b, 0);
}

async function waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs: number, children: BenchChild[], stepMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check().catch(() => undefined);
    if (v !== undefined) return v;
    for (const c of children) if (c.process.exitCode !== null) throw new Error(`${c.name} exited: ${c.tail()}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, stepMs));
  }
}

export async function runSettleLatency(o: SettleLatencyOptions): Promise<SettleLatencyCase[]> {
  const needed = o.providers.length * o.settleMs.length * o.perCase;
  if (o.invoices.length < needed) throw new Error(`settle latency needs ${needed} invoices, got ${o.invoices.length}`);
  const redisServer = await startRedisServer();
  const sandbox = await startSandbox({
    network: 'regtest',
    aurpay: { apiKey: 'latency-aurpay-key' },
    turinpay: { apiKey: 'latency-turinpay-key' },
    pendingLookups: 0,
  });
  const redis = new Redis(redisServer.url, { maxRetriesPerRequest: null });
  const keys = createKeys(PREFIX);
  const port = await freePort();
  const env: Record<string, string> = {
    REDIS_URL: redisServer.url,
    QUEUE_PREFIX: PREFIX,
    HOST: '127.0.0.1',
    PORT: String(port),
    API_TOKENS: `latency=${TOKEN}`,
    LN_NETWORK: 'regtest',
    AURPAY_BASE_URL: sandbox.aurpayUrl,
    AURPAY_API_KEY: 'latency-aurpay-key',
    TURINPAY_BASE_URL: sandbox.turinpayUrl,
    TURINPAY_API_KEY: 'latency-turinpay-key',
    LOG_LEVEL: 'warn',
    ...o.env,
  };
  const children: BenchChild[] = [];
  try {
    children.push(spawnNode('latency-api', ['bin/withdrawals.js', 'api'], { env }));
    children.push(spawnNode('latency-worker', ['bin/withdrawals.js', 'worker'], { env }));
    const base = `http://127.0.0.1:${port}`;
    await waitFor('the API', async () => ((await request(`${base}/readyz`)).statusCode === 200 ? true : undefined), 30_000, children);
    const settleQueue = new Queue('settle', { connection: redis, prefix: keys.bullPrefix });
    await waitFor('the worker', async () => ((await settleQueue.getWorkersCount()) >= 1 ? true : undefined), 30_000, children);
    await settleQueue.close();
    // The worker's first round trips (scripts loading, connections) are not the project's latency.
    await new Promise((r) => setTimeout(r, 1000));

    const cases: SettleLatencyCase[] = [];
    let next = 0;
    for (const provider of o.providers) {
      for (const settleMs of o.settleMs) {
        sandbox.setFaults(provider, fixedFault(settleMs === 0 ? 'none' : 'pending_then_success'));
        sandbox.setSettleAfter(provider, settleMs === 0 ? null : settleMs);
        const timesMs: number[] = [];
        const perPayout: number[] = [];
        const statuses: Record<string, number> = {};
        for (let k = 0; k < o.perCase; k++) {
          const i = next++;
          const id = `lat-${provider}-${settleMs}-${k}`;
          const before = lookups(sandbox.requestCounts(), provider);
          const res = await request(`${base}/v1/withdrawals`, {
            method: 'POST',
            headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
            body: JSON.stringify({ id, provider, invoice: o.invoices[i], amountMsat: benchAmountMsat(i).toString() }),
          });
          const answer = await res.body.text();
          if (res.statusCode !== 202) throw new Error(`POST /v1/withdrawals answered ${res.statusCode}: ${answer.slice(0, 300)}`);
          const rec = await waitFor(
            `${id} to settle`,
            async () => {
              const [status, created, updated] = await redis.hmget(keys.record(id), 'status', 'createdAt', 'updatedAt');
              return status && TERMINAL.has(status) && created && updated ? { status, ms: Date.parse(updated) - Date.parse(created) } : undefined;
            },
            settleMs + 120_000,
            children,
            5,
          );
          // A lookup that was on its way when the record settled is still counted.
          await new Promise((r) => setTimeout(r, 50));
          timesMs.push(rec.ms);
          statuses[rec.status] = (statuses[rec.status] ?? 0) + 1;
          perPayout.push(lookups(sandbox.requestCounts(), provider) - before);
        }
        const sorted = [...timesMs].sort((a, b) => a - b);
        const c: SettleLatencyCase = {
          provider,
          settleMs,
          n: o.perCase,
          timesMs,
          p50: percentile(sorted, 50),
          max: sorted[sorted.length - 1] ?? 0,
          statuses,
          lookupsPerPayout: perPayout.reduce((a, b) => a + b, 0) / perPayout.length,
          maxLookups: Math.max(...perPayout),
          withinTarget: sorted.every((t) => t <= settleMs + 500),
        };
        o.log(`${provider} settling ${settleMs} ms after submit: p50 ${c.p50} ms, max ${c.max} ms, ${c.lookupsPerPayout.toFixed(1)} lookups per payout`);
        cases.push(c);
      }
    }
    return cases;
  } finally {
    await Promise.all(children.map((c) => c.stop()));
    await redis.quit();
    await sandbox.close();
    await redisServer.stop();
  }
}

export function formatSettleLatency(cases: readonly SettleLatencyCase[]): string {
  const lines = ['provider   settles at   n   p50 ms   max ms   target ms   lookups/payout (max)   statuses'];
  for (const c of cases) {
    lines.push(
      [
        c.provider.padEnd(10),
        `${(c.settleMs / 1000).toFixed(1)} s`.padStart(10),
        String(c.n).padStart(3),
        String(c.p50).padStart(8),
        String(c.max).padStart(8),
        `${c.settleMs + 500}${c.withinTarget ? '' : ' MISSED'}`.padStart(11),
        `${c.lookupsPerPayout.toFixed(1)} (${c.maxLookups})`.padStart(22),
        `  ${Object.entries(c.statuses).map(([s, n]) => `${s} ${n}`).join(', ')}`,
      ].join(' '),
    );
  }
  return lines.join('\n');
}
