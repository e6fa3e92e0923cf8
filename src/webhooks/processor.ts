import { UnrecoverableError, type Job } from 'bullmq';
import type { Keys } from '../keys.ts';
import type { Logger } from '../logger.ts';
import type { RedisClient } from '../redis.ts';
import { toStreamId } from '../events/ids.ts';
import { entryOwner, entryToEvent, readRange } from '../events/reader.ts';
import type { PostEvent } from './deliver.ts';
import type { Lanes } from './lanes.ts';
import { parseLaneId } from './lanes.ts';
import { carries } from './ownership.ts';
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
}

/**
 * Delivers the head of a lane. Whatever the end (delivered, endpoint gone, last attempt failed), the lane
 * moves on to its next event before the job finishes, so a later event never overtakes this one.
 */
export function createDeliveryProcessor(deps: ProcessorDeps) {
  const { lanes, stats } = deps;
  return async (job: Job): Promise<string> => {
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
    const [entry] = await readRange(deps.redis, deps.keys, streamId, streamId, 1);
    if (!entry) {
      await moveOn();
      stats.record('dead_lettered');
      throw new UnrecoverableError('the event is no longer kept in the stream (EVENTS_MAX_LEN)');
    }
    // Fan-out and replay push only what the endpoint may carry; checked again here, where it is sent.
    if (!carries(endpoint, entryOwner(entry))) {
      await moveOn();
      stats.record('skipped');
      log.error("webhook delivery of another producer's event refused");
      return "skipped: another producer's event";
    }
    const event = entryToEvent(entry);
    const result = await deps.post(endpoint, event);
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
