import { DEFAULT_PRODUCER } from '../callers.ts';
import type { Keys } from '../keys.ts';
import type { RedisClient } from '../redis.ts';
import { toEventId, ZERO_STREAM_ID } from './ids.ts';
import { fieldsOf, fillAll, fillOf, type Fillable } from './slim.ts';
import type { WithdrawalEvent } from './types.ts';

/** Largest page of `GET /v1/events` (interface.md). */
export const MAX_EVENTS_PAGE = 1000;

export type StreamEntry = [id: string, fields: string[]];

/**
 * The scripts (view.lua's add_event) write each event twice with one id: a slim entry in `keys.events`
 * (`type`, `ts`, `owner`, `subject`), which orders every owner's events, and the event itself in
 * `keys.ownerEvents(owner)` (`type`, `ts`, `data`, and `fill`: the record's fields to read back).
 * Entries written before owners had streams hold `data` in `keys.events` itself.
 */

/** A slim entry of the stream of every owner's events. */
export interface IndexEntry {
  streamId: string;
  type: string;
  owner: string;
  /** What orders its deliveries: `w:<withdrawal id>` or `b:<batch id>`. */
  subject: string;
}

/** An event as read, with its stream id and its owner. */
export interface OwnedEvent {
  streamId: string;
  owner: string;
  event: WithdrawalEvent;
}

function subjectOfData(type: string, data: unknown, streamId: string): string {
  if (data && typeof data === 'object') {
    if (type.startsWith('withdrawal.') && 'id' in data && typeof data.id === 'string') return `w:${data.id}`;
    if (type === 'batch.done' && 'batchId' in data && typeof data.batchId === 'string') return `b:${data.batchId}`;
  }
  return `e:${toEventId(streamId)}`;
}

function parseData(text: string | undefined): unknown {
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    // Our Lua scripts write valid JSON; should an entry not be, it shows `data: null` rather than block every reader.
    return null;
  }
}

export function indexEntry([streamId, flat]: StreamEntry): IndexEntry {
  const f = fieldsOf(flat);
  const type = f.get('type') ?? '';
  const subject = f.get('subject') ?? subjectOfData(type, parseData(f.get('data')), streamId);
  return { streamId, type, owner: f.get('owner') || DEFAULT_PRODUCER, subject };
}

/** An owner's entry (or an older entry of the shared stream, which carries its data), before filling. */
function pending(streamId: string, owner: string, flat: readonly string[]): Fillable & { streamId: string; owner: string; type: string; ts: string } {
  const f = fieldsOf(flat);
  const type = f.get('type') ?? '';
  const data = parseData(f.get('data'));
  const id = data && typeof data === 'object' && 'id' in data && typeof data.id === 'string' ? data.id : '';
  return { streamId, owner, type, ts: f.get('ts') ?? '', data, id, names: type.startsWith('withdrawal.') && id ? fillOf(f.get('fill')) : [] };
}

async function complete(redis: RedisClient, keys: Keys, items: ReturnType<typeof pending>[]): Promise<OwnedEvent[]> {
  const data = await fillAll(redis, keys, items);
  return items.map((x, i) => ({ streamId: x.streamId, owner: x.owner, event: { id: toEventId(x.streamId), type: x.type, timestamp: x.ts, data: data[i] } }));
}

/** One owner's events from `start` to `end` (XRANGE bounds), at most `count`: reads that owner's stream alone. */
export async function readOwnerRange(redis: RedisClient, keys: Keys, owner: string, start: string, end: string, count: number): Promise<OwnedEvent[]> {
  const entries: StreamEntry[] = await redis.xrange(keys.ownerEvents(owner), start, end, 'COUNT', count);
  return complete(redis, keys, entries.map(([id, flat]) => pending(id, owner, flat)));
}

/** Index entries read past at most per page, in rounds of the page's size: events their owners' streams trimmed are skipped, within bounds. */
const MAX_ROUNDS = 4;

/** One round of readAllRange: the entries from `start`, and the events their owners' streams still keep. */
async function readAllOnce(redis: RedisClient, keys: Keys, start: string, end: string, count: number): Promise<{ events: OwnedEvent[]; entries: StreamEntry[] }> {
  const entries: StreamEntry[] = await redis.xrange(keys.events, start, end, 'COUNT', count);
  const index = entries.map(indexEntry);
  const pipeline = redis.pipeline();
  for (const e of index) pipeline.xrange(keys.ownerEvents(e.owner), e.streamId, e.streamId);
  const replies = index.length > 0 ? ((await pipeline.exec()) ?? []) : [];
  const items: ReturnType<typeof pending>[] = [];
  index.forEach((e, i) => {
    const legacy = entries[i] && fieldsOf(entries[i][1]).has('data') ? entries[i] : undefined;
    const [err, found] = replies[i] ?? [null, []];
    const own = err ? undefined : (found as StreamEntry[])[0];
    if (own) items.push(pending(e.streamId, e.owner, own[1]));
    else if (legacy) items.push(pending(e.streamId, e.owner, legacy[1]));
  });
  return { events: await complete(redis, keys, items), entries };
}

/**
 * Every owner's events from `start` to `end`, at most `count`, and the id of the last entry read
 * (null: none). An event its owner's stream no longer keeps (trimmed to its own budget) is left out;
 * the read goes on past such entries for a few rounds at most.
 */
export async function readAllRange(redis: RedisClient, keys: Keys, start: string, end: string, count: number): Promise<{ events: OwnedEvent[]; last: string | null }> {
  const events: OwnedEvent[] = [];
  let last: string | null = null;
  let from = start;
  for (let round = 0; round < MAX_ROUNDS && events.length < count; round++) {
    const want = count - events.length;
    const page = await readAllOnce(redis, keys, from, end, want);
    events.push(...page.events);
    const tail = page.entries.at(-1);
    if (!tail) break;
    last = tail[0];
    from = `(${last}`;
    // Fewer entries than asked: the end of the range.
    if (page.entries.length < want) break;
  }
  return { events, last };
}

/** One event by its stream id (null: not kept). */
export async function readEvent(redis: RedisClient, keys: Keys, streamId: string): Promise<OwnedEvent | null> {
  const { events } = await readAllRange(redis, keys, streamId, streamId, 1);
  return events[0] ?? null;
}

export interface EventPage {
  events: WithdrawalEvent[];
  /** The event id to pass as `after` for the next page (the last one returned, else the `after` given). */
  next: string;
}

/**
 * A page stops once the events read come to this many bytes of data (whole chunks of PAGE_CHUNK
 * events): with 8 KiB of metadata per withdrawal a page of 1000 would be 8 MiB, held in memory by
 * every one of a caller's parallel requests. `next` goes on from where it stopped.
 */
export const MAX_EVENTS_PAGE_BYTES = 1024 * 1024;
const PAGE_CHUNK = 100;

/** The size of an event's data as the page will carry it (its JSON, roughly). */
function dataBytes(event: WithdrawalEvent): number {
  return JSON.stringify(event.data ?? null).length;
}

/**
 * The events after `afterStreamId` (exclusive; from the oldest kept when absent), oldest first, at most
 * `limit` and about MAX_EVENTS_PAGE_BYTES of data; with `owner`, that producer's events alone, read from
 * its own stream: a page costs the same whatever others wrote, and `next` moves with that producer's
 * events only.
 */
export async function readEvents(redis: RedisClient, keys: Keys, afterStreamId: string | null, limit: number, owner: string | null = null): Promise<EventPage> {
  const want = Math.min(limit, MAX_EVENTS_PAGE);
  const events: WithdrawalEvent[] = [];
  let cursor = afterStreamId;
  let bytes = 0;
  // Bounded reads whatever the stream holds: the chunks a full page needs, and a few more for an
  // operator's page that reads past events their owners' streams trimmed.
  const reads = Math.ceil(want / PAGE_CHUNK) + MAX_ROUNDS;
  for (let i = 0; i < reads && events.length < want && bytes < MAX_EVENTS_PAGE_BYTES; i++) {
    const left = want - events.length;
    const start = cursor === null ? '-' : `(${cursor}`;
    if (owner !== null) {
      const read = await readOwnerRange(redis, keys, owner, start, '+', Math.min(PAGE_CHUNK, left));
      for (const e of read) {
        events.push(e.event);
        bytes += dataBytes(e.event);
      }
      cursor = read.at(-1)?.streamId ?? cursor;
      // Fewer than asked: the end of the stream.
      if (read.length < Math.min(PAGE_CHUNK, left)) break;
      continue;
    }
    // An operator's page reads the shared index a whole chunk at a time, whatever `limit` is: its head
    // may name events their owners' streams trimmed already, which are passed over.
    const { events: read, last } = await readAllRange(redis, keys, start, '+', PAGE_CHUNK);
    const taken = read.slice(0, left);
    for (const e of taken) {
      events.push(e.event);
      bytes += dataBytes(e.event);
    }
    if (last === null) break;
    // Cut short by `limit`: the next page starts right after the last event given.
    cursor = taken.length < read.length ? (taken.at(-1)?.streamId ?? cursor) : last;
  }
  return { events, next: toEventId(cursor ?? ZERO_STREAM_ID) };
}

/** Slim entries of every owner's events from `start` to `end`, at most `count` (the webhook fan-out's read). */
export async function readIndex(redis: RedisClient, keys: Keys, start: string, end: string, count: number): Promise<IndexEntry[]> {
  const entries: StreamEntry[] = await redis.xrange(keys.events, start, end, 'COUNT', count);
  return entries.map(indexEntry);
}

/** The id of the newest event kept (`0-0` when none): "everything up to here already happened". */
export async function lastStreamId(redis: RedisClient, keys: Keys): Promise<string> {
  const [entry]: StreamEntry[] = await redis.xrevrange(keys.events, '+', '-', 'COUNT', 1);
  return entry ? entry[0] : ZERO_STREAM_ID;
}
