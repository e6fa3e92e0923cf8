/**
 * The stack the resilience suites break: a private redis-server, the sandbox providers in this
 * process (so their ledger is the ground truth of what was paid), an API process and worker
 * processes of `node bin/withdrawals.js`. Nothing here touches the shared test Redis.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { payeeInvoice } from '../../src/demo/payee.ts';
import { createKeys } from '../../src/keys.ts';
import { faultMix, startSandbox, type FaultPlan, type Sandbox, type SandboxOptions } from '../../src/providers/sandbox/index.ts';
import { createStore, type WithdrawalStore } from '../../src/withdrawals/store.ts';
import { startApiProcess, startWorkerProcess, stopAllProcesses, type ServiceProcess } from '../support/processes.ts';
import { callApi } from '../support/http.ts';
import { startRedisServer, type PrivateRedis } from '../support/redis-server.ts';
import { BUILTIN_PROVIDER_NAMES } from '../../src/providers/index.ts';
import { SENTINEL_NAME, type SentinelGroup } from '../support/sentinel.ts';
import { createRedis } from '../../src/redis.ts';
import { resolveRedisTarget } from '../../src/redis-seed.ts';
import type { LocalCluster } from '../support/cluster.ts';

export const TOKEN = 'resilience-token-0001';
const AURPAY_KEY = 'sandbox-aurpay-key-r';
const TURINPAY_KEY = 'sandbox-turinpay-key-r';

/** Every fault that must settle by reconciliation, plus pending ones and plain refusals. */
export function chaosFaults(): FaultPlan {
  return faultMix({
    none: 45,
    pending_then_success: 12,
    pending_then_failure: 5,
    refuse: 5,
    error_after_payment: 5,
    hang_after_payment: 8,
    reset_after_payment: 4,
    malformed_body: 4,
    rate_limit: 4,
    rate_limit_no_retry_after: 3,
  });
}

export interface StackOptions {
  /** Extra redis-server arguments (AOF...). */
  redisArgs?: string[];
  sandbox?: Partial<SandboxOptions>;
  /** Overrides of the processes' environment. */
  env?: Record<string, string>;
  /**
   * Run on this Sentinel-watched group instead of a private redis-server: every process (and the
   * stack's own view) connects through the Sentinels, and REDIS_URL names no Redis at all, so a
   * connection that bypassed them would fail. The caller stops the group.
   */
  sentinel?: SentinelGroup;
  /**
   * Run on this Redis Cluster instead of a private redis-server: REDIS_URL is a plain
   * `redis://127.0.0.1:PORT` of the master holding the deployment's slot (the node a failover test
   * kills: every connection made after its death must start from the other nodes), so every process
   * (and the stack's own view) must detect the cluster through it. `redis` is that node. The caller
   * stops the cluster.
   */
  cluster?: LocalCluster;
}

export interface Stack {
  redis: PrivateRedis;
  sandbox: Sandbox;
  env: Record<string, string>;
  /** This test's own view of the records, over its own connection. */
  store: WithdrawalStore;
  api: { proc: ServiceProcess; baseUrl: string };
  call(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
  startWorker(name: string, args?: string[]): Promise<ServiceProcess>;
  /** SIGKILLs redis-server (the AOF stays in its dir). */
  killRedis(): Promise<void>;
  /** Starts redis-server again on the same port and dir, with the same arguments. */
  restartRedis(): Promise<void>;
  close(): Promise<void>;
}

export async function startStack(opts: StackOptions = {}): Promise<Stack> {
  const redisArgs = opts.redisArgs ?? [];
  const group = opts.sentinel;
  const cluster = opts.cluster;
  const prefix = `res-${randomUUID().slice(0, 8)}`;
  let redis = group?.nodes[0] ?? (cluster ? await slotMaster(cluster, prefix) : await startRedisServer(redisArgs));
  const sandbox = await startSandbox({
    network: 'regtest',
    aurpay: { apiKey: AURPAY_KEY },
    turinpay: { apiKey: TURINPAY_KEY },
    pendingLookups: 2,
    ...opts.sandbox,
  });
  const env: Record<string, string> = {
    ...(group ? { REDIS_URL: 'redis://127.0.0.1:1', REDIS_SENTINELS: group.sentinels, REDIS_SENTINEL_NAME: SENTINEL_NAME } : { REDIS_URL: redis.url }),
    QUEUE_PREFIX: prefix,
    API_TOKENS: `tester=${TOKEN}`,
    LN_NETWORK: 'regtest',
    AURPAY_BASE_URL: sandbox.aurpayUrl,
    AURPAY_API_KEY: AURPAY_KEY,
    TURINPAY_BASE_URL: sandbox.turinpayUrl,
    TURINPAY_API_KEY: TURINPAY_KEY,
    PROVIDER_TIMEOUT_MS: '1000',
    SETTLE_POLL_MS: '100',
    SETTLE_POLL_MAX_MS: '500',
    SUBMIT_BACKOFF_MS: '100',
    SWEEP_EVERY_MS: '500',
    SUBMIT_LOCK_MS: '2000',
    // Short-lived invoices: a payout whose fate cannot be proven reaches needs_review within the test.
    INVOICE_EXPIRY_MARGIN_S: '5',
    RECONCILE_GRACE_MS: '0',
    // The breaker stays on (faults open it now and then) but half-opens quickly.
    BREAKER_COOLDOWN_MS: '1000',
    LOG_LEVEL: 'info',
    ...opts.env,
  };
  const conn = group
    ? createRedis({ url: 'redis://127.0.0.1:1', sentinels: group.sentinels, sentinelName: SENTINEL_NAME }, { role: 'worker', connectionName: 'test-view' })
    : cluster
      ? createRedis(await resolveRedisTarget({ REDIS_URL: redis.url, REDIS_SENTINELS: null, REDIS_SENTINEL_NAME: SENTINEL_NAME }), { role: 'worker', connectionName: 'test-view' })
      : new Redis(redis.url, { maxRetriesPerRequest: null, retryStrategy: () => 100 });
  conn.on('error', () => {});
  const store = createStore({ redis: conn, keys: createKeys(prefix), eventsMaxLen: 0, providers: BUILTIN_PROVIDER_NAMES });
  let api: Stack['api'];
  const procs: ServiceProcess[] = [];
  try {
    api = await startApiProcess('api', env);
    procs.push(api.proc);
  } catch (err) {
    await Promise.allSettled([sandbox.close(), group || cluster ? Promise.resolve() : redis.stop()]);
    conn.disconnect();
    throw err;
  }

  return {
    get redis() {
      return redis;
    },
    sandbox,
    env,
    store,
    api,
    call: (method, path, body) => callApi(api.baseUrl, TOKEN, method, path, body),
    startWorker: async (name, args = []) => {
      const proc = await startWorkerProcess(name, env, args);
      procs.push(proc);
      return proc;
    },
    async killRedis() {
      await redis.stop();
    },
    async restartRedis() {
      redis = await startRedisServer(redisArgs, { port: redis.port, dir: redis.dir });
    },
    async close() {
      await stopAllProcesses();
      keepLogs(procs);
      conn.disconnect();
      await sandbox.close();
      if (group || cluster) return;
      await redis.stop();
      rmSync(redis.dir, { recursive: true, force: true });
    },
  };
}

/** RESILIENCE_LOGS=<dir> keeps each process's output there (`<name>.log`), to see why a run failed. */
function keepLogs(procs: ServiceProcess[]): void {
  const dir = process.env.RESILIENCE_LOGS;
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  for (const p of procs) writeFileSync(join(dir, `${p.name}.log`), `${p.lines.join('\n')}\n`);
}

/** The master of the `{prefix}` slot. */
async function slotMaster(cluster: LocalCluster, prefix: string): Promise<PrivateRedis> {
  const owner = await cluster.slotMasterPort(`{${prefix}}`);
  const node = cluster.nodes.find((n) => n.port === owner);
  if (!node) throw new Error(`no node of the cluster is on port ${owner}, the slot master's`);
  return node;
}

export interface Item {
  id: string;
  provider: 'aurpay' | 'turinpay';
  invoice: string;
  amountMsat: string;
}

/** `n` payouts alternating providers, each with its own fresh invoice expiring in `expirySeconds`. */
export function makeItems(label: string, n: number, expirySeconds: number): { items: Item[]; hashes: Map<string, string> } {
  const items: Item[] = [];
  const hashes = new Map<string, string>();
  for (let i = 0; i < n; i++) {
    const amountMsat = BigInt(1000 + ((i * 7919) % 50_000)) * 1000n;
    const { invoice, paymentHash } = payeeInvoice({ network: 'regtest', amountMsat, expirySeconds });
    const id = `${label}-${i}`;
    items.push({ id, provider: i % 2 === 0 ? 'turinpay' : 'aurpay', invoice, amountMsat: amountMsat.toString() });
    hashes.set(id, paymentHash);
  }
  return { items, hashes };
}

export interface BatchSummary {
  batchId: string;
  total: number;
  byStatus: Record<string, number>;
  done: boolean;
}

/** Polls `GET /v1/batches/:id` until `done`; fails with the last summary after `timeoutMs`. */
export async function waitForBatch(stack: Stack, batchId: string, timeoutMs: number): Promise<BatchSummary> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown = null;
  for (;;) {
    const res = await stack.call('GET', `/v1/batches/${batchId}`).catch(() => null);
    if (res?.status === 200) {
      last = res.body;
      // RESILIENCE_PROGRESS=1 prints the batch's progress, to see where a slow run spends its time.
      if (process.env.RESILIENCE_PROGRESS) console.info(new Date().toISOString(), batchId, JSON.stringify((res.body as BatchSummary).byStatus));
      if ((res.body as BatchSummary).done) return res.body as BatchSummary;
    }
    if (Date.now() > deadline) throw new Error(`batch ${batchId} not done within ${timeoutMs} ms: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** A random whole number in [min, max]. */
export function between(min: number, max: number): number {
  return min + Math.floor(Math.random() * (max - min + 1));
}
