import { Queue, type ConnectionOptions } from 'bullmq';
import { z } from 'zod';
import type { Keys } from '../keys.ts';
import { deliveryJobId, type LanePush } from './lanes.ts';

export const WEBHOOK_QUEUE = 'webhooks';

/** A delivery job names its lane and event; the endpoint (with its secret) and the event are read when it runs. */
export const deliveryJobSchema = z.object({ lane: z.string().min(1), eventId: z.string().min(1) });
export type DeliveryJobData = z.infer<typeof deliveryJobSchema>;

export interface WebhookQueueSettings {
  /** Delivery attempts per event and endpoint before the job stays failed (the dead letter). */
  attempts: number;
  /** First retry delay; each later one doubles. */
  backoffMs: number;
}

const DAY_S = 86_400;

export type WebhookQueue = Queue<DeliveryJobData>;

export function createWebhookQueue(connection: ConnectionOptions, keys: Keys, settings: WebhookQueueSettings): WebhookQueue {
  return new Queue<DeliveryJobData>(WEBHOOK_QUEUE, {
    connection,
    prefix: keys.bullPrefix,
    defaultJobOptions: {
      attempts: settings.attempts,
      backoff: { type: 'exponential', delay: settings.backoffMs },
      removeOnComplete: { age: 3600, count: 10_000 },
      // Failed jobs are the dead letters: kept a week (bounded) for the dashboard and a manual retry.
      removeOnFail: { age: 7 * DAY_S, count: 100_000 },
    },
  });
}

/** One job per lane head; the job id makes a repeated add a no-op. */
export async function enqueueHeads(queue: WebhookQueue, heads: readonly LanePush[]): Promise<void> {
  if (heads.length === 0) return;
  await queue.addBulk(heads.map((h) => ({ name: 'deliver', data: { lane: h.lane, eventId: h.eventId }, opts: { jobId: deliveryJobId(h.lane, h.eventId) } })));
}
