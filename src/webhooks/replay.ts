import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { Keys } from '../keys.ts';
import type { RedisClient } from '../redis.ts';
import { toEventId, toStreamId } from '../events/ids.ts';
import { readAllRange, readEvent, readOwnerRange, type OwnedEvent } from '../events/reader.ts';
import type { WithdrawalEvent } from '../events/types.ts';
import { wants, type Endpoint } from './endpoint.ts';
import { laneId, subjectOf, type Lanes } from './lanes.ts';
import { carries } from './ownership.ts';
import { enqueueHeads, type WebhookQueue } from './queue.ts';

const eventIdSchema = z.string().refine((v) => toStreamId(v) !== null, 'must be an event id (evt_...)');

/** `POST /v1/webhooks/:id/replay`: one event, or the events after `after` up to `until` (inclusive). */
export const replayBodySchema = z.union([
  z.strictObject({ eventId: eventIdSchema }),
  z
    .strictObject({ after: eventIdSchema.optional(), until: eventIdSchema.optional() })
    .refine((b) => b.after !== undefined || b.until !== undefined, 'give eventId, or after and/or until'),
]);
export type ReplayBody = z.infer<typeof replayBodySchema>;

export interface ReplayDeps {
  redis: RedisClient;
  keys: Keys;
  lanes: Lanes;
  queue: WebhookQueue;
  /** Most events one request redelivers; the answer's `next` continues from there. */
  maxEvents: number;
}

export interface ReplayAnswer {
  replayId: string;
  endpointId: string;
  replayed: number;
  /** Set when the range held more than one request replays: pass it as `after` to go on. */
  next: string | null;
}

const PAGE = 500;
/**
 * Stream entries one request reads at most: a producer with few events among millions of others'
 * gets `next` to go on with, instead of one request walking the whole stream.
 */
const MAX_SCANNED = 50_000;

/**
 * Redelivers events to one endpoint as new jobs with the same `webhook-id`s, through lanes of the
 * replay's own: in order per withdrawal within the replay, independent of live deliveries.
 * A range replays the types the endpoint subscribes to; a single event is sent whatever its type.
 * Only events the endpoint may carry are sent: a producer's endpoint gets that producer's alone.
 * Returns null when the single event is not kept, or is another producer's (answered alike).
 */
export async function replay(d: ReplayDeps, endpoint: Endpoint, body: ReplayBody): Promise<ReplayAnswer | null> {
  const replayId = `rp_${randomBytes(8).toString('hex')}`;
  const send = async (events: WithdrawalEvent[]) => {
    const pushes = events.map((e) => ({ lane: laneId({ endpointId: endpoint.id, replayId, subject: subjectOf(e) }), eventId: e.id }));
    await enqueueHeads(d.queue, await pushOrThrow(d.lanes, pushes));
  };
  if ('eventId' in body) {
    const found = await readEvent(d.redis, d.keys, toStreamId(body.eventId) ?? '');
    if (!found || !carries(endpoint, found.owner)) return null;
    await send([found.event]);
    return { replayId, endpointId: endpoint.id, replayed: 1, next: null };
  }
  // A producer's endpoint reads its producer's stream alone; the operators' read every owner's.
  const owner = endpoint.owner && endpoint.owner.role === 'producer' ? endpoint.owner.name : null;
  const read = async (from: string, count: number): Promise<{ events: OwnedEvent[]; last: string | null }> => {
    if (owner === null) return readAllRange(d.redis, d.keys, from, end, count);
    const events = await readOwnerRange(d.redis, d.keys, owner, from, end, count);
    return { events, last: events.at(-1)?.streamId ?? null };
  };
  let start = body.after ? `(${toStreamId(body.after)}` : '-';
  const end = body.until ? (toStreamId(body.until) ?? '+') : '+';
  let replayed = 0;
  let scanned = 0;
  for (;;) {
    const page = await read(start, Math.min(PAGE, d.maxEvents - replayed));
    scanned += page.events.length;
    const events = page.events
      .filter((e) => carries(endpoint, e.owner))
      .map((e) => e.event)
      .filter((e) => wants(endpoint, e.type));
    await send(events);
    replayed += events.length;
    const last = page.last;
    if (!last) return { replayId, endpointId: endpoint.id, replayed, next: null };
    start = `(${last}`;
    if (replayed >= d.maxEvents || scanned >= MAX_SCANNED) {
      const more = await read(start, 1);
      return { replayId, endpointId: endpoint.id, replayed, next: more.last ? toEventId(last) : null };
    }
  }
}

async function pushOrThrow(lanes: Lanes, pushes: Parameters<Lanes['push']>[0]) {
  if (pushes.length === 0) return [];
  const heads = await lanes.push(pushes);
  if (heads === 'stale') throw new Error('unguarded lane push reported stale');
  return heads;
}
