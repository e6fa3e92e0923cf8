import type { Keys } from '../keys.ts';
import type { RedisClient } from '../redis.ts';
import { toEventId, toStreamId } from '../events/ids.ts';
import { lastStreamId, readIndex, type IndexEntry } from '../events/reader.ts';
import { wants, type Endpoint } from './endpoint.ts';
import { carries } from './ownership.ts';
import { laneId, type LanePush, type Lanes } from './lanes.ts';
import { enqueueHeads, type WebhookQueue } from './queue.ts';
import type { EndpointRegistry } from './registry.ts';

/** Lane pushes per script call: an event's pushes are never split, so one event may exceed it alone. */
const MAX_PUSHES = 500;

export interface FanOutDeps {
  redis: RedisClient;
  keys: Keys;
  registry: EndpointRegistry;
  lanes: Lanes;
  queue: WebhookQueue;
  /** Events read per step (bounded: a backlog never loads at once). */
  batchSize: number;
}

export type FanOutResult = { stale: true } | { stale: false; moved: number; cursor: string };

/**
 * Where the first fan-out starts: at the oldest registered endpoint's start, else at the newest event,
 * so a fresh deployment does not deliver the history to endpoints configured later.
 */
async function cursorOf(d: FanOutDeps): Promise<string> {
  const existing = await d.redis.get(d.keys.webhookCursor);
  if (existing !== null) return existing;
  const sinces = (await d.registry.list()).filter((e) => e.source === 'api').map((e) => e.since).sort();
  const start = (sinces[0] ? toStreamId(sinces[0]) : null) ?? (await lastStreamId(d.redis, d.keys));
  await d.redis.set(d.keys.webhookCursor, start, 'NX');
  return (await d.redis.get(d.keys.webhookCursor)) ?? start;
}

/** The endpoints an event goes to: registered before it, subscribed to its type, and allowed its owner's events. */
function pushesFor(endpoints: readonly Endpoint[], entry: IndexEntry): LanePush[] {
  const eventId = toEventId(entry.streamId);
  return endpoints
    .filter((e) => eventId > e.since && wants(e, entry.type) && carries(e, entry.owner))
    .map((e) => ({ lane: laneId({ endpointId: e.id, replayId: '', subject: entry.subject }), eventId }));
}

/**
 * One step of the live fan-out: the events after the cursor go to the lanes of every endpoint that wants
 * them, and the cursor moves in the same Lua step (guarded by the dispatcher lock and the cursor's old
 * value), so each event is fanned out once however many processes run. Heads get their jobs after; a
 * crash in between leaves a head without a job, which the lane repair finds.
 */
export async function fanOutOnce(d: FanOutDeps, lockToken: string): Promise<FanOutResult> {
  let cursor = await cursorOf(d);
  const entries = await readIndex(d.redis, d.keys, `(${cursor}`, '+', d.batchSize);
  if (entries.length === 0) return { stale: false, moved: 0, cursor };
  // Endpoints are read after the events: one registered meanwhile starts after them (its `since`).
  const endpoints = await d.registry.list();
  let chunk: LanePush[] = [];
  let chunkEnd = cursor;
  const flush = async (): Promise<boolean> => {
    const heads = await d.lanes.push(chunk, { lockToken, expectedCursor: cursor, newCursor: chunkEnd });
    if (heads === 'stale') return false;
    await enqueueHeads(d.queue, heads);
    cursor = chunkEnd;
    chunk = [];
    return true;
  };
  for (const entry of entries) {
    const pushes = pushesFor(endpoints, entry);
    if (chunk.length > 0 && chunk.length + pushes.length > MAX_PUSHES && !(await flush())) return { stale: true };
    chunk.push(...pushes);
    chunkEnd = entry.streamId;
  }
  if (!(await flush())) return { stale: true };
  return { stale: false, moved: entries.length, cursor };
}
