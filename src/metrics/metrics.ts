import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Logger } from '../logger.ts';
import type { LookupOutcome, SubmitOutcome } from '../providers/types.ts';
import type { Queues } from '../queues/queues.ts';
import { STATUSES, type Status } from '../withdrawals/status.ts';
import type { DailyLimits, ShortfallKind, WithdrawalStore } from '../withdrawals/store.ts';
import type { ProviderName } from '../withdrawals/types.ts';
import type { ResolutionOutcome } from '../lnurl/submit-step.ts';
import { createHttpMetrics, type HttpMetrics } from './http.ts';
import { readSnapshot, type Snapshot } from './snapshot.ts';

export interface MetricsDeps {
  store: WithdrawalStore;
  queues: Queues;
  logger: Logger;
  /** Node.js process metrics (CPU, memory, event loop). @defaultValue true */
  processMetrics?: boolean;
  /** Most unfinished batches reported by `withdrawals_batch_items`. @defaultValue 50 */
  maxBatches?: number;
  /** A scrape waits at most this long for Redis, then leaves the Redis-backed gauges out. @defaultValue 2000 */
  scrapeTimeoutMs?: number;
  now?: () => number;
  /** Producers whose daily budgets are reported (the configured tokens' names), and their limits. */
  producers?: readonly string[];
  /**
   * METRICS_PRODUCER_LABELS: report the daily budgets per producer (labelled with its name). Off,
   * no producer or operator name appears in the scrape. @defaultValue false
   */
  producerLabels?: boolean;
  /** A scrape within this long of the last one is answered from it (concurrent ones share one read). @defaultValue 1000 */
  cacheMs?: number;
  dailyLimits?: DailyLimits;
  /** This process's webhook delivery totals by outcome (counted since start). */
  webhookDeliveries?: () => Record<string, number>;
}

/** The hooks `startWorkers` calls; the numbers they feed are this process's own. */
export interface MetricsObserver {
  submit(provider: ProviderName, outcome: SubmitOutcome): void;
  lookup(provider: ProviderName, outcome: LookupOutcome): void;
  /** This process moved a withdrawal accepted at `createdAt` (ISO) to the terminal `status`. */
  terminal(provider: ProviderName, status: Status, createdAt: string): void;
  /** This process moved a withdrawal routed `auto` from one provider to the next. */
  failover(from: ProviderName, to: ProviderName): void;
  /** A Lightning Address resolution this process ran ended: `resolved`, or its failure code. */
  resolution(outcome: ResolutionOutcome): void;
  /** REDIS_MIN_REPLICAS_ACK: the replicas did not confirm a write of this process in time. */
  replicaShortfall(write: ShortfallKind): void;
  /** The Redis primary this process writes to is another one than before (a failover). */
  redisFailover(): void;
}

export interface Metrics {
  registry: Registry;
  observe: MetricsObserver;
  /** This process's HTTP answers (measureRequests feeds it). */
  http: HttpMetrics;
  contentType: string;
  /**
   * Every metric in the Prometheus text format, the shared gauges read from Redis: at most once per
   * `cacheMs`, so that many scrapers cost Redis no more than one.
   */
  render(): Promise<string>;
}

const SUBMIT_OUTCOMES: SubmitOutcome['kind'][] = ['accepted', 'rejected', 'not_sent', 'unknown'];
const LOOKUP_OUTCOMES: LookupOutcome['kind'][] = ['found', 'not_found', 'error'];
const SETTLED_STATUSES: Status[] = ['succeeded', 'failed'];
const RESOLUTION_OUTCOMES: ResolutionOutcome[] = ['resolved', 'lnurl_unreachable', 'lnurl_refused', 'lnurl_invalid', 'lnurl_forbidden'];
/** From a sandbox's milliseconds to a provider's day-long reconciliation. */
const SETTLE_BUCKETS_S = [0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 7200, 21600, 86400];

export function createMetrics(deps: MetricsDeps): Metrics {
  const registry = new Registry();
  const now = deps.now ?? Date.now;
  const registers = [registry];
  if (deps.processMetrics ?? true) {
    collectDefaultMetrics({ register: registry });
    // prom-client names a few gauges `*_total` (nodejs_active_handles_total...), which promtool
    // rejects; their unsuffixed per-type twins carry the same numbers.
    for (const m of registry.getMetricsAsArray()) {
      if (!(m instanceof Counter) && m.name.endsWith('_total')) registry.removeSingleMetric(m.name);
    }
  }

  const inStatus = new Gauge({
    name: 'withdrawals_in_status',
    help: 'Withdrawals now in each status, read from Redis (every process reports the same).',
    labelNames: ['provider', 'status'] as const,
    registers,
  });
  const oldestUnknown = new Gauge({
    name: 'withdrawals_oldest_unknown_age_seconds',
    help: 'Seconds since the oldest withdrawal now in unknown entered it; 0 when none.',
    labelNames: ['provider'] as const,
    registers,
  });
  const oldestAwaitingApproval = new Gauge({
    name: 'withdrawals_oldest_awaiting_approval_age_seconds',
    help: 'Seconds since the oldest withdrawal now in awaiting_approval entered it; 0 when none.',
    labelNames: ['provider'] as const,
    registers,
  });
  const requests = new Counter({
    name: 'withdrawals_provider_requests_total',
    help: 'Provider calls made by this process, by operation (submit, lookup) and outcome.',
    labelNames: ['provider', 'operation', 'outcome'] as const,
    registers,
  });
  const failovers = new Counter({
    name: 'withdrawals_failovers_total',
    help: 'Withdrawals routed auto that this process moved to the next provider after the first proved it sent nothing.',
    labelNames: ['from', 'to'] as const,
    registers,
  });
  const shortfalls = new Counter({
    name: 'withdrawals_redis_replica_shortfalls_total',
    help: 'Writes of this process the Redis replicas did not confirm within REDIS_ACK_TIMEOUT_MS (REDIS_MIN_REPLICAS_ACK), by write: create (answered 503), fence (no provider call), transition.',
    labelNames: ['write'] as const,
    registers,
  });
  for (const write of ['create', 'fence', 'transition'] as const) shortfalls.inc({ write }, 0);
  const redisFailovers = new Counter({
    name: 'withdrawals_redis_failovers_total',
    help: 'Times this process saw the Redis primary it writes to change (a Sentinel or Cluster failover).',
    registers,
  });
  const resolutions = new Counter({
    name: 'withdrawals_lnurl_resolutions_total',
    help: 'Lightning Address resolutions this process ran, by outcome: resolved, or the failure code that ended the withdrawal.',
    labelNames: ['outcome'] as const,
    registers,
  });
  for (const outcome of RESOLUTION_OUTCOMES) resolutions.inc({ outcome }, 0);
  const settleDuration = new Histogram({
    name: 'withdrawals_settle_duration_seconds',
    help: 'Time from acceptance to a terminal status, observed by the process that made the change.',
    labelNames: ['provider', 'status'] as const,
    buckets: SETTLE_BUCKETS_S,
    registers,
  });
  const breakerOpen = new Gauge({
    name: 'withdrawals_breaker_open',
    help: "1 while the provider's submissions are paused (its submit queue is paused), else 0.",
    labelNames: ['provider'] as const,
    registers,
  });
  const queueJobs = new Gauge({
    name: 'withdrawals_queue_jobs',
    help: 'BullMQ job counts per queue and state.',
    labelNames: ['queue', 'state'] as const,
    registers,
  });
  // Batch ids are chosen by producers: they never become labels, only totals over the open batches.
  const batchItems = new Gauge({
    name: 'withdrawals_batch_items',
    help: 'Items of the unfinished batches (newest first, bounded) by status, summed over those batches.',
    labelNames: ['status'] as const,
    registers,
  });
  const openBatches = new Gauge({
    name: 'withdrawals_open_batches',
    help: 'Unfinished batches (bounded: the newest ones, as withdrawals_batch_items).',
    registers,
  });
  const producerLabels = deps.producerLabels ?? false;
  const dailyRegisters = producerLabels ? registers : [];
  const dailyAmount = new Gauge({
    name: 'withdrawals_daily_amount_msat',
    help: "Per producer, today (UTC): the amount accepted (cancelled and failed given back), and what LIMIT_DAILY_AMOUNT_MSAT leaves (kind=left, only with a limit).",
    labelNames: ['producer', 'kind'] as const,
    registers: dailyRegisters,
  });
  const dailyCount = new Gauge({
    name: 'withdrawals_daily_withdrawals',
    help: 'Per producer, today (UTC): the withdrawals accepted (cancelled and failed given back), and what LIMIT_DAILY_COUNT leaves (kind=left, only with a limit).',
    labelNames: ['producer', 'kind'] as const,
    registers: dailyRegisters,
  });
  const redisUp = new Gauge({
    name: 'withdrawals_metrics_redis_up',
    help: 'Whether this scrape could read the shared gauges from Redis (1) or not (0, and they are left out).',
    registers,
  });

  const webhookDeliveries = new Counter({
    name: 'withdrawals_webhook_deliveries_total',
    help: 'Webhook delivery attempts by this process, by outcome (delivered, retried, dead_lettered, skipped).',
    labelNames: ['outcome'] as const,
    registers,
  });
  const countedDeliveries: Record<string, number> = {};
  function syncWebhookDeliveries(): void {
    for (const [outcome, total] of Object.entries(deps.webhookDeliveries?.() ?? {})) {
      const delta = total - (countedDeliveries[outcome] ?? 0);
      if (delta >= 0) webhookDeliveries.inc({ outcome }, delta);
      countedDeliveries[outcome] = total;
    }
  }

  for (const provider of deps.queues.providers) {
    // Present (0) from the start: the failed share of settled payouts reads 0 before the first failure.
    for (const status of SETTLED_STATUSES) settleDuration.zero({ provider, status });
    for (const outcome of SUBMIT_OUTCOMES) requests.inc({ provider, operation: 'submit', outcome }, 0);
    for (const outcome of LOOKUP_OUTCOMES) requests.inc({ provider, operation: 'lookup', outcome }, 0);
  }

  function apply(s: Snapshot): void {
    for (const provider of deps.queues.providers) {
      for (const status of STATUSES) inStatus.set({ provider, status }, s.inStatus[provider]?.[status] ?? 0);
      oldestUnknown.set({ provider }, s.oldestUnknownAgeSeconds[provider] ?? 0);
      oldestAwaitingApproval.set({ provider }, s.oldestAwaitingApprovalAgeSeconds[provider] ?? 0);
      breakerOpen.set({ provider }, s.breakerOpen[provider] ? 1 : 0);
    }
    for (const { queue, counts } of s.queueJobs) {
      for (const [state, n] of Object.entries(counts)) queueJobs.set({ queue, state }, n);
    }
    const limits = deps.dailyLimits ?? { amountMsat: null, count: null };
    for (const { producer, usage } of s.daily) {
      // Gauges are doubles: exact below 2^53 msat (about 90 BTC), close enough above for a dashboard.
      dailyAmount.set({ producer, kind: 'used' }, Number(usage.amountMsat));
      dailyCount.set({ producer, kind: 'used' }, usage.count);
      if (limits.amountMsat !== null) dailyAmount.set({ producer, kind: 'left' }, Number(limits.amountMsat > usage.amountMsat ? limits.amountMsat - usage.amountMsat : 0n));
      if (limits.count !== null) dailyCount.set({ producer, kind: 'left' }, Math.max(0, limits.count - usage.count));
    }
    for (const status of STATUSES) batchItems.set({ status }, s.openBatches.reduce((sum, b) => sum + b.byStatus[status], 0));
    openBatches.set(s.openBatches.length);
  }

  const shared = [inStatus, oldestUnknown, oldestAwaitingApproval, breakerOpen, queueJobs, batchItems, openBatches, dailyAmount, dailyCount];
  const timeoutMs = deps.scrapeTimeoutMs ?? 2000;
  const cacheMs = deps.cacheMs ?? 1000;
  let cached: { at: number; text: Promise<string>; pending: boolean } | null = null;

  async function refresh(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`Redis did not answer within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      const producers = producerLabels ? deps.producers : [];
      const read = readSnapshot({ store: deps.store, queues: deps.queues, maxBatches: deps.maxBatches ?? 50, now, producers });
      apply(await Promise.race([read, timeout]));
      redisUp.set(1);
    } catch (err) {
      // Stale numbers are worse than none: an alert on a frozen gauge would never fire or never clear.
      for (const g of shared) g.reset();
      redisUp.set(0);
      deps.logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'metrics: could not read Redis');
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    registry,
    http: createHttpMetrics(registers),
    contentType: registry.contentType,
    observe: {
      submit: (provider, outcome) => requests.inc({ provider, operation: 'submit', outcome: outcome.kind }),
      lookup: (provider, outcome) => requests.inc({ provider, operation: 'lookup', outcome: outcome.kind }),
      terminal(provider, status, createdAt) {
        const since = Date.parse(createdAt);
        if (Number.isFinite(since)) settleDuration.observe({ provider, status }, Math.max(0, (now() - since) / 1000));
      },
      failover: (from, to) => failovers.inc({ from, to }),
      resolution: (outcome) => resolutions.inc({ outcome }),
      replicaShortfall: (write) => shortfalls.inc({ write }),
      redisFailover: () => redisFailovers.inc(),
    },
    render() {
      const t = performance.now();
      if (cached && (cached.pending || t - cached.at < cacheMs)) return cached.text;
      const text = (async () => {
        syncWebhookDeliveries();
        await refresh();
        return registry.metrics();
      })();
      const entry = { at: t, text, pending: true };
      cached = entry;
      void text.then(
        () => {
          // Fresh from the moment it was rendered.
          entry.at = performance.now();
          entry.pending = false;
        },
        () => {
          if (cached === entry) cached = null;
        },
      );
      return text;
    },
  };
}
