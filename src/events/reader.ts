import { DEFAULT_PRODUCER } from '../callers.ts';
import type { Keys } from '../keys.ts';
import type { RedisClient } from '../redis.ts';
import { toEventId, ZERO_STREAM_ID } from './ids.ts';
import type { WithdrawalEvent } from './types.ts';

/** Largest page of `GET /v1/events` (interface.md). */
export const MAX_EVENTS_PAGE = 1000;

export type StreamEntry = [id: string, fields: string[]];

/** One stream entry as the API shows it; the Lua scripts write `type`, `ts` and `data` (JSON text). */
export function entryToEvent([streamId, fields]: StreamEntry): WithdrawalEvent {
  const f = new Map<string, string>();
  for (let i = 0; i + 1 < fields.length; i += 2) f.set(fields[i] ?? '', fields[i + 1] ?? '');
  return { id: toEventId(streamId), type: f.get('type') ?? '', timestamp: f.get('ts') ?? '', data: parseData(f.get('data')) };
}

/** The producer an event belongs to (the Lua scripts write `owner`; older entries belong to `default`). */
export function entryOwner([, fields]: StreamEntry): string {
  for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i] === 'owner') return fields[i + 1] || DEFAULT_PRODUCER;
  return DEFAULT_PRODUCER;
}

/** Our Lua scripts write valid JSON; should an entry not be, it shows `data: null` rather than block every reader. */
function parseData(text: string | undefined): unknown {
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

export interface EventPage {
  events: WithdrawalEvent[];
  /** The event id to pass as `after` for the next page (the last one returned, else the `after` given). */
  next: string;
}

/** Entries one owner's page reads past at most: a page costs the same whoever else is busy. */
const MAX_SCANNED = 10_000;
const SCAN_CHUNK = 1_000;

/**
 * The events after `afterStreamId` (exclusive; from the oldest kept when absent), oldest first; with
 * `owner`, that producer's events alone. An owner's page may come back short (even empty) while
 * other producers' events fill the stream: `next` then still moves past what was read, so paging on
 * always reaches the end.
 */
export async function readEvents(redis: RedisClient, keys: Keys, afterStreamId: string | null, limit: number, owner: string | null = null): Promise<EventPage> {
  const want = Math.min(limit, MAX_EVENTS_PAGE);
  const events: WithdrawalEvent[] = [];
  let cursor = afterStreamId;
  let scanned = 0;
  while (events.length < want && scanned < MAX_SCANNED) {
    const count = owner === null ? want - events.length : SCAN_CHUNK;
    const entries: StreamEntry[] = await redis.xrange(keys.events, cursor === null ? '-' : `(${cursor}`, '+', 'COUNT', count);
    for (const entry of entries) {
      cursor = entry[0];
      scanned++;
      if (owner === null || entryOwner(entry) === owner) events.push(entryToEvent(entry));
      if (events.length === want) break;
    }
    if (entries.length < count) break;
  }
  return { events, next: toEventId(cursor ?? ZERO_STREAM_ID) };
}

/** Entries from `start` (inclusive `-`/id or exclusive `(id`) up to `end`, at most `count`. */
export async function readRange(redis: RedisClient, keys: Keys, start: string, end: string, count: number): Promise<StreamEntry[]> {
  return redis.xrange(keys.events, start, end, 'COUNT', count);
}

/** The id of the newest event kept (`0-0` when none): "everything up to here already happened". */
export async function lastStreamId(redis: RedisClient, keys: Keys): Promise<string> {
  const [entry]: StreamEntry[] = await redis.xrevrange(keys.events, '+', '-', 'COUNT', 1);
  return entry ? entry[0] : ZERO_STREAM_ID;
}
