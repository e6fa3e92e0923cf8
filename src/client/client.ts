import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { inRequestContext } from '../log-context.ts';
import { DEFAULT_PRODUCER, PRODUCER_NAME, producer } from '../callers.ts';
import { createKeys } from '../keys.ts';
import { createLogger } from '../logger.ts';
import { createQueues } from '../queues/queues.ts';
import { createRedis, waitUntilReady } from '../redis.ts';
import { resolveRedisTarget } from '../redis-seed.ts';
import { checkRedisSafety } from '../redis-checks.ts';
import { clientConfig, serviceSettings } from '../settings/index.ts';
import { BatchIdTakenError, enqueueBatch, newBatchId } from '../withdrawals/batches.ts';
import { createEnqueueDeps, enqueueWithdrawal } from '../withdrawals/enqueue.ts';
import { listedRecord, publicRecord } from '../withdrawals/record-codec.ts';
import { withdrawalIdSchema } from '../withdrawals/request.ts';
import { STATUSES, TERMINAL_STATUSES } from '../withdrawals/status.ts';
import { createStore, InvalidCursorError, MAX_LIST_PAGE } from '../withdrawals/store.ts';
import { BUILTIN_PROVIDER_NAMES, builtinProviders } from '../providers/index.ts';
import { createValidationPool } from '../withdrawals/validation/pool.ts';
import { WithdrawalsClientError, type ListOptions, type WithdrawalPage, type WithdrawalsClient, type WithdrawalsClientOptions } from './types.ts';

/**
 * A library producer: enqueues withdrawals straight into the service's Redis, with the same
 * validation, idempotency and batches as the HTTP API. The service's workers (`withdrawals worker`
 * or `start`) pay them; this client never talks to a provider.
 */
export async function createWithdrawalsClient(options: WithdrawalsClientOptions): Promise<WithdrawalsClient> {
  const config = clientConfig(options, process.env, builtinProviders);
  // The runtime's settings of the same configuration, built before anything connects.
  const settings = serviceSettings(config, builtinProviders);
  const name = options.producer ?? DEFAULT_PRODUCER;
  if (!PRODUCER_NAME.test(name)) throw new WithdrawalsClientError('invalid_request', `producer ${JSON.stringify(name)} must be 1-64 characters of A-Z a-z 0-9 . _ : -`);
  const caller = producer(name);
  const logger = options.logger ?? createLogger('silent');
  const providers = options.providers ?? BUILTIN_PROVIDER_NAMES;
  const keys = createKeys(config.QUEUE_PREFIX);
  const target = await resolveRedisTarget(config);
  const requestRedis = createRedis(target, { role: 'request', connectionName: 'withdrawals-client', autoPipelining: true });
  const queueRedis = createRedis(target, { role: 'worker', connectionName: 'withdrawals-client-queues' });
  for (const r of [requestRedis, queueRedis]) r.on('error', (err) => logger.debug({ err: err.message }, 'redis connection error'));
  const disconnect = async () => {
    await Promise.allSettled([requestRedis.quit(), queueRedis.quit()]);
  };
  try {
    const connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
    await waitUntilReady(requestRedis, connectTimeoutMs).catch((err: unknown) => {
      throw new Error(`Redis did not answer within ${connectTimeoutMs} ms`, { cause: err });
    });
    await checkRedisSafety(requestRedis, logger);
  } catch (err) {
    requestRedis.disconnect();
    queueRedis.disconnect();
    throw err;
  }

  const store = createStore({ redis: requestRedis, keys, ...settings.store, providers: settings.queues.providers });
  const queues = createQueues(queueRedis, keys, settings.queues);
  for (const q of queues.all()) q.on('error', (err) => logger.debug({ err: err.message, queue: q.name }, 'queue connection error'));
  const validationPool = createValidationPool({ threads: settings.validationThreads, logger });
  const deps = createEnqueueDeps(settings.enqueue, { store, queues, logger, providers, validationPool });

  async function get(id: string) {
    const rec = await store.get(id);
    return rec ? publicRecord(rec) : null;
  }

  async function list(opts: ListOptions = {}): Promise<WithdrawalPage> {
    const limit = opts.limit ?? 100;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST_PAGE) throw new WithdrawalsClientError('invalid_request', `limit must be an integer from 1 to ${MAX_LIST_PAGE}`);
    if (opts.status !== undefined && !(STATUSES as readonly string[]).includes(opts.status)) throw new WithdrawalsClientError('invalid_request', `status ${JSON.stringify(opts.status)} is no status word`);
    if (opts.batchId !== undefined && !withdrawalIdSchema.safeParse(opts.batchId).success) {
      throw new WithdrawalsClientError('invalid_request', `batch id ${JSON.stringify(opts.batchId)} must be 1-128 characters of A-Z a-z 0-9 . _ : -`);
    }
    try {
      const page = await store.list({ owner: caller.name, status: opts.status ?? null, batchId: opts.batchId ?? null, limit, cursor: opts.cursor ?? null });
      return {
        withdrawals: page.withdrawals.map(listedRecord),
        next: page.next,
      };
    } catch (err) {
      if (err instanceof InvalidCursorError) throw new WithdrawalsClientError('invalid_request', err.message);
      throw err;
    }
  }

  async function batch(id: string) {
    return store.batchSummary(id);
  }

  let closing: Promise<void> | undefined;

  /** Runs one call of the client under a fresh request id: in its log lines and on its WithdrawalsClientError. */
  function call<A extends unknown[], T>(fn: (...args: A) => Promise<T>): (...args: A) => Promise<T> {
    return (...args) => {
      const requestId = randomUUID();
      return inRequestContext({ reqId: requestId }, async () => {
        try {
          return await fn(...args);
        } catch (err) {
          if (err instanceof WithdrawalsClientError && err.requestId === null) err.requestId = requestId;
          throw err;
        }
      });
    };
  }

  const client: WithdrawalsClient = {
    prefix: config.QUEUE_PREFIX,
    async enqueue(body) {
      const res = await enqueueWithdrawal(deps, body, { caller });
      return res.kind === 'refused' ? res : { kind: res.kind, record: publicRecord(res.record) };
    },
    async enqueueBatch(items, opts = {}) {
      const batchId = opts.batchId ?? newBatchId();
      if (!withdrawalIdSchema.safeParse(batchId).success) {
        throw new WithdrawalsClientError('invalid_request', `batch id ${JSON.stringify(batchId)} must be 1-128 characters of A-Z a-z 0-9 . _ : -`);
      }
      try {
        return await enqueueBatch(deps, caller, batchId, items, { concurrency: opts.concurrency, onItem: opts.onItem });
      } catch (err) {
        if (err instanceof BatchIdTakenError) throw new WithdrawalsClientError('idempotency_conflict', err.message);
        throw err;
      }
    },
    get,
    list,
    async waitFor(id, opts) {
      const statuses = opts.statuses ?? TERMINAL_STATUSES;
      const deadline = Date.now() + opts.timeoutMs;
      for (;;) {
        const rec = await get(id);
        if (!rec) throw new WithdrawalsClientError('not_found', `no withdrawal ${id} under prefix ${config.QUEUE_PREFIX}`);
        if (statuses.includes(rec.status)) return rec;
        if (Date.now() >= deadline) {
          throw new WithdrawalsClientError('timeout', `withdrawal ${id} is still ${rec.status} after ${opts.timeoutMs} ms`);
        }
        await sleep(Math.min(opts.pollMs ?? 250, Math.max(1, deadline - Date.now())), undefined, { signal: opts.signal });
      }
    },
    batch,
    async waitForBatch(id, opts = {}) {
      const deadline = Date.now() + (opts.timeoutMs ?? Number.POSITIVE_INFINITY);
      for (;;) {
        const summary = await batch(id);
        if (!summary) throw new WithdrawalsClientError('not_found', `no batch ${id} under prefix ${config.QUEUE_PREFIX}`);
        opts.onProgress?.(summary);
        if (summary.done) return summary;
        if (Date.now() >= deadline) throw new WithdrawalsClientError('timeout', `batch ${id} is not done after ${opts.timeoutMs} ms`);
        await sleep(Math.min(opts.pollMs ?? 250, Math.max(1, deadline - Date.now())), undefined, { signal: opts.signal });
      }
    },
    close() {
      closing ??= (async () => {
        await queues.close();
        await validationPool.close();
        await disconnect();
      })();
      return closing;
    },
  };
  return {
    ...client,
    enqueue: call(client.enqueue),
    enqueueBatch: call(client.enqueueBatch),
    get: call(client.get),
    list: call(client.list),
    waitFor: call(client.waitFor),
    batch: call(client.batch),
    waitForBatch: call(client.waitForBatch),
  };
}
