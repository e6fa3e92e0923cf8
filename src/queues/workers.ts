import { Worker, type ConnectionOptions, type Telemetry } from 'bullmq';
import type { Logger } from '../logger.ts';
import type { ProviderCapabilities } from '../providers/definition.ts';
import type { LookupOutcome, ProviderClient, SubmitOutcome } from '../providers/types.ts';
import type { Status } from '../withdrawals/status.ts';
import type { WithdrawalStore } from '../withdrawals/store.ts';
import type { ProviderName } from '../withdrawals/types.ts';
import type { Keys } from '../keys.ts';
import { MAINTENANCE_QUEUE, SETTLE_QUEUE, submitQueueName } from './names.ts';
import type { Queues } from './queues.ts';
import { createSettleProcessor } from './settle-processor.ts';
import { settleDelay } from './lookup-policy.ts';
import { createSubmitProcessor } from './submit-processor.ts';
import { createLane, lanesByName } from './lane.ts';
import { watchSweepScheduler } from './sweep-watchdog.ts';
import { createSweep } from './sweep.ts';
import { rateLimitWindow } from './rate-window.ts';
import { publishProviders } from './presence.ts';
import type { BreakerSettings } from './breaker.ts';
import type { RedisClient } from '../redis.ts';
import { createOutboundAgent } from '../net/outbound.ts';
import type { ResolverSettings } from '../lnurl/resolve.ts';
import { createResolveStep, type ResolutionOutcome } from '../lnurl/submit-step.ts';

export interface WorkerSettings {
  /** INVOICE_EXPIRY_MARGIN_S in ms: a withdrawal held for approval past it is cancelled by the sweep. */
  approvalExpiryMarginMs?: number;
  /** RECONCILE_GRACE_MS: each submit round's reconciliation deadline is the invoice's expiry plus this. */
  reconcileGraceMs?: number;
  submitConcurrency: number;
  settleConcurrency: number;
  /** Lock of a submit job; a crashed worker's job stalls after it and is never retried. */
  submitLockMs: number;
  providerTimeoutMs: number;
  pollMs: number;
  pollMaxMs: number;
  sweepEveryMs: number;
  breaker: BreakerSettings;
  /** Per-provider submit concurrency in one process (default submitConcurrency). */
  providerConcurrency?: Partial<Record<ProviderName, number>>;
  /** Per-provider submit requests per second across the fleet (0 or absent: none). */
  providerRatePerS?: Partial<Record<ProviderName, number>>;
  /** Resolving Lightning Addresses (LNURL_*, LN_NETWORK, INVOICE_EXPIRY_MARGIN_S); absent: they wait unresolved. */
  lnurl?: Omit<ResolverSettings, 'dispatcher'>;
}

export interface WorkerDeps {
  connection: ConnectionOptions & RedisClient;
  keys: Keys;
  store: WithdrawalStore;
  queues: Queues;
  clients: Partial<Record<ProviderName, ProviderClient>>;
  logger: Logger;
  settings: WorkerSettings;
  /** Which providers' submit queues this process works (default: every configured one). */
  providers?: readonly ProviderName[];
  /** Each provider's capabilities, from its definition. */
  capabilities: Readonly<Record<ProviderName, ProviderCapabilities>>;
  /** BullMQ's telemetry hooks (traces on): a span per job, in the trace of the context it was added in. */
  telemetry?: Telemetry;
  observe?: {
    submit?(provider: ProviderName, outcome: SubmitOutcome): void;
    lookup?(provider: ProviderName, outcome: LookupOutcome): void;
    /** This process moved a withdrawal to a terminal status (settle-duration metric). */
    terminal?(provider: ProviderName, status: Status, createdAt: string): void;
    /** A withdrawal routed `auto` failed over from one provider to the next. */
    failover?(from: ProviderName, to: ProviderName): void;
    /** A Lightning Address resolution ended: resolved, or its failure code. */
    resolution?(outcome: ResolutionOutcome): void;
  };
}

export interface RunningWorkers {
  workers: Worker[];
  sweep(): Promise<unknown>;
  /** Stops taking jobs, lets in-flight calls finish, closes connections. Idempotent. */
  close(): Promise<void>;
}

export async function startWorkers(deps: WorkerDeps): Promise<RunningWorkers> {
  const { settings, logger, queues } = deps;
  const base = { connection: deps.connection, prefix: deps.keys.bullPrefix, ...(deps.telemetry ? { telemetry: deps.telemetry } : {}) };
  const workers: Worker[] = [];
  // One lane per configured provider (a withdrawal may fail over to any of them); submits and status
  // lookups of a provider draw from its one fleet-wide request budget, whichever submit queues this
  // process works.
  const configured = Object.keys(deps.clients).filter((p) => deps.clients[p]);
  const lanes = lanesByName(
    configured.flatMap((name) => {
      const client = deps.clients[name];
      if (!client) return [];
      const capabilities = { settlesOnSubmit: deps.capabilities[name]?.settlesOnSubmit ?? false };
      const ratePerS = settings.providerRatePerS?.[name] ?? 0;
      return [createLane({ name, client, capabilities, redis: deps.connection, keys: deps.keys, queues, breaker: settings.breaker, ratePerS, logger })];
    }),
  );
  const providers = (deps.providers ?? configured).filter((p) => lanes.has(p));
  // Lightning Address servers are reached through the outbound policy's own pool (src/net/outbound.ts).
  const lnurl = settings.lnurl;
  let closingStarted = false;
  const lnurlAgent = lnurl ? createOutboundAgent({ timeoutMs: lnurl.timeoutMs, connections: 4, allowPrivate: lnurl.allowPrivate }) : null;
  const resolveInvoice =
    lnurl && lnurlAgent
      ? createResolveStep({
          store: deps.store,
          settings: { ...lnurl, dispatcher: lnurlAgent, stopping: () => closingStarted },
          reconcileGraceMs: settings.reconcileGraceMs ?? 3_600_000,
          logger,
          onResolution: (o) => deps.observe?.resolution?.(o),
          onTerminal: (p, status, createdAt) => deps.observe?.terminal?.(p, status, createdAt),
        })
      : undefined;

  for (const provider of providers) {
    const lane = lanes.get(provider);
    if (!lane) continue;
    let worker: Worker | undefined;
    const queue = queues.submitQueue(provider);
    const rate = settings.providerRatePerS?.[provider] ?? 0;
    // A global limit lives in Redis, so the whole fleet slows down, not one worker.
    if (rate > 0) {
      // BullMQ's limiter keeps submit jobs from even starting faster than the limit; the budget
      // also counts this provider's lookups, so that together they stay under it.
      const window = rateLimitWindow(rate);
      await queue.setGlobalRateLimit(window.max, window.durationMs);
    } else await queue.removeGlobalRateLimit();
    const processor = createSubmitProcessor({
      lane,
      lanes,
      store: deps.store,
      queues,
      logger,
      observe: deps.observe,
      settings: { pollMs: settings.pollMs, reconcileGraceMs: settings.reconcileGraceMs ?? 3_600_000 },
      resolveInvoice,
      worker: {
        stopping: () => worker?.closing !== undefined,
        rateLimit: async (ms) => worker?.rateLimit(ms),
      },
    });
    worker = new Worker(submitQueueName(provider), processor, {
      ...base,
      concurrency: settings.providerConcurrency?.[provider] ?? settings.submitConcurrency,
      // Invariant 1: a stalled submit is never run again; the sweep turns it into `unknown`.
      maxStalledCount: 0,
      lockDuration: settings.submitLockMs,
      stalledInterval: Math.max(1000, Math.floor(settings.submitLockMs / 2)),
    });
    workers.push(worker);
  }

  const settle = createSettleProcessor({ lanes, store: deps.store, logger, pollMs: settings.pollMs, pollMaxMs: settings.pollMaxMs, observe: deps.observe });
  // Settle checks and sweeps may safely run again, so their jobs use the same crash lock as submits:
  // a killed worker's lookups and sweep resume after SUBMIT_LOCK_MS, not BullMQ's default 30 s.
  const crashLock = { lockDuration: settings.submitLockMs, stalledInterval: Math.max(1000, Math.floor(settings.submitLockMs / 2)) };
  workers.push(new Worker(SETTLE_QUEUE, settle, { ...base, ...crashLock, concurrency: settings.settleConcurrency }));

  const sweep = createSweep({
    store: deps.store,
    queues,
    logger,
    providers,
    lostSubmitAfterMs: settings.submitLockMs + settings.providerTimeoutMs,
    orphanAfterMs: Math.max(settle_grace(settings), 1000),
    approvalExpiryMarginMs: settings.approvalExpiryMarginMs ?? 0,
  });
  const maintain = async () => {
    for (const p of providers) await lanes.get(p)?.breaker.tick();
    return sweep();
  };
  workers.push(new Worker(MAINTENANCE_QUEUE, maintain, { ...base, ...crashLock, concurrency: 1 }));
  const scheduleSweep = () => queues.maintenance.upsertJobScheduler('sweep', { every: settings.sweepEveryMs }, { name: 'sweep' });
  await scheduleSweep();
  const stopWatchdog = watchSweepScheduler({ queue: queues.maintenance, schedule: scheduleSweep, everyMs: Math.max(2000, settings.sweepEveryMs * 4), logger });

  for (const w of workers) {
    w.on('error', (err) => logger.error({ err, queue: w.name }, 'worker error'));
    w.on('failed', (job, err) => {
      if (err.name !== 'NotSentError') logger.warn({ queue: w.name, jobId: job?.id, err: err.message }, 'job failed');
    });
  }
  await Promise.all(workers.map((w) => w.waitUntilReady()));
  // Producers without provider keys (`withdrawals batch`) learn from this what the service pays through.
  const presence = await publishProviders({ redis: deps.connection, keys: deps.keys, providers, logger });

  let closing: Promise<void> | undefined;
  return {
    workers,
    sweep,
    close() {
      if (!closing) {
        closingStarted = true;
        presence.stop();
        stopWatchdog();
        closing = Promise.all(workers.map((w) => w.close())).then(() => lnurlAgent?.close());
        // Logged once every worker is closing: no provider call starts after this line.
        logger.info('workers closing: in-flight jobs finish, no new one starts');
      }
      return closing;
    },
  };
}

/** A job younger than the first settle delay may simply not have run yet. */
function settle_grace(s: WorkerSettings): number {
  return settleDelay(0, s.pollMs, s.pollMaxMs) * 2 + 1000;
}
