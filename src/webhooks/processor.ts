import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import type { Keys } from '../keys.ts';
import type { Logger } from '../logger.ts';
import type { RedisClient } from '../redis.ts';
import { toStreamId } from '../events/ids.ts';
import { readEvent } from '../events/reader.ts';
import type { PostEvent } from './deliver.ts';
import type { Lanes } from './lanes.ts';
import { parseLaneId } from './lanes.ts';
import { carries } from './ownership.ts';
import { OPERATORS_SLOTS, type OwnerSlots } from './owner-slots.ts';
import { deliveryJobSchema, enqueueHeads, type WebhookQueue } from './queue.ts';
import type { EndpointRegistry } from './registry.ts';
import type { WebhookStats } from './stats.ts';

/** An attempt that failed; BullMQ retries it with backoff until the attempts run out. */
export class DeliveryFailedError extends Error {
  override name = 'DeliveryFailedError';
}

export interface ProcessorDeps {
  redis: RedisClient;
  keys: Keys;
  registry: EndpointRegistry;
  lanes: Lanes;
  queue: WebhookQueue;
  post: PostEvent;
  stats: WebhookStats;
  logger: Logger;
  /** Deliveries in flight per endpoint owner, fleet-wide; without it, none. */
  slots?: OwnerSlots;
  /** How long a delivery waits when its owner's slots are all taken, ms (a random part is added). @defaultValue 250 */
  deferMs?: number;
}

/**
 * Delivers the head of a lane. Whatever the end (delivered, endpoint gone, last attempt failed), the lane
 * moves on to its next event before the job finishes, so a later event never overtakes this one.
 */
export function createDeliveryProcessor(deps: ProcessorDeps) {
  const { lanes, stats } = deps;
  const deferMs = deps.deferMs ?? 250;
  return async (job: Job, token?: string): Promise<string> => {
    const parsed = deliveryJobSchema.safeParse(job.data);
    const ref = parsed.success ? parseLaneId(parsed.data.lane) : null;
    const streamId = parsed.success ? toStreamId(parsed.data.eventId) : null;
    if (!parsed.success || !ref || !streamId) throw new UnrecoverableError('malformed webhook delivery job');
    const { lane, eventId } = parsed.data;
    const log = deps.logger.child({ endpointId: ref.endpointId, eventId, jobId: job.id });
    const moveOn = async () => enqueueHeads(deps.queue, await nextHead(lanes, lane, eventId));

    const endpoint = await deps.registry.get(ref.endpointId);
    if (!endpoint) {
      await moveOn();
      stats.record('skipped');
      return 'skipped: endpoint removed';
    }
    const found = await readEvent(deps.redis, deps.keys, streamId);
    if (!found) {
      await moveOn();
      stats.record('dead_lettered');
      throw new UnrecoverableError('the event is no longer kept in the stream (EVENTS_MAX_LEN, EVENTS_MAX_BYTES)');
    }
    // Fan-out and replay push only what the endpoint may carry; checked again here, where it is sent.
    if (!carries(endpoint, found.owner)) {
      await moveOn();
      stats.record('skipped');
      log.error("webhook delivery of another producer's event refused");
      return "skipped: another producer's event";
    }
    const { event } = found;
    const owner = endpoint.owner?.name ?? OPERATORS_SLOTS;
    const holder = String(job.id);
    if (deps.slots && !(await deps.slots.acquire(owner, holder))) {
      // Every slot of this owner is in flight (a slow or dead endpoint): let the other owners' deliveries
      // through, and come back in a moment without spending an attempt. The lane keeps its order.
      stats.record('deferred');
      await job.moveToDelayed(Date.now() + deferMs + Math.floor(Math.random() * deferMs), token);
      throw new DelayedError();
    }
    let result: Awaited<ReturnType<PostEvent>>;
    try {
      result = await deps.post(endpoint, event);
    } finally {
      await deps.slots?.release(owner, holder);
    }
    if (result.ok) {
      await moveOn();
      stats.record('delivered');
      return `delivered: HTTP ${result.status}`;
    }
    const last = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    if (last) {
      await moveOn();
      stats.record('dead_lettered');
      log.warn({ reason: result.reason, attempts: job.attemptsMade + 1 }, 'webhook delivery gave up: dead letter');
    } else {
      stats.record('retried');
    }
    throw new DeliveryFailedError(result.reason);
  };
}

async function nextHead(lanes: Lanes, lane: string, eventId: string) {
  const head = await lanes.advance(lane, eventId);
  return head ? [{ lane, eventId: head }] : [];
}
