/**
 * Listing withdrawals, newest first (GET /v1/withdrawals): pages over the listing indexes create.lua
 * writes with each record (one stream per owner, one for every owner; entries `i`: id, in the order
 * they were created), then over the sorted sets the listings were before (members
 * `<created ms>:<id>`, by member; never written now, so everything in them is older), or over a
 * batch's item list. A page reads a bounded number of keys whatever anyone else stored: at most
 * `limit` + 1 index entries and `limit` records without a status filter; with one, at most
 * STATUS_SCAN_WINDOW entries are examined (each record's status read, the matching ones read whole).
 * A filtered page may then hold fewer than `limit` withdrawals, even none, with a `next` cursor to
 * read on from where the scan stopped.
 */
import { DEFAULT_PRODUCER } from '../../callers.ts';
import { parseRecord } from '../record-codec.ts';
import type { Status } from '../status.ts';
import type { WithdrawalRecord } from '../types.ts';
import type { StoreContext } from './context.ts';

/** Largest page (`limit`). */
export const MAX_LIST_PAGE = 1000;
/** Index entries one page examines at most when filtering by status. */
export const STATUS_SCAN_WINDOW = 2000;

export interface ListQuery {
  /** Only this owner's withdrawals; null: every owner's (operators). */
  owner: string | null;
  status: Status | null;
  batchId: string | null;
  /** 1..MAX_LIST_PAGE. */
  limit: number;
  /** The `next` of the page before, as given back; null: from the newest. */
  cursor: string | null;
}

export interface ListPage {
  /** Newest first, without their histories. */
  withdrawals: WithdrawalRecord[];
  /** Where the next page starts, or null when there is none. */
  next: string | null;
}

/** A cursor the store cannot read: the caller sent something that no page gave out. */
export class InvalidCursorError extends Error {
  override name = 'InvalidCursorError';
}

/** After a stream entry (`s:`), after a member of the sorted set before it (`i:`), or after a batch's first `offset` items. */
type Position = { kind: 'stream'; entry: string } | { kind: 'index'; member: string } | { kind: 'batch'; offset: number };

const textOf = (p: Position): string => (p.kind === 'stream' ? `s:${p.entry}` : p.kind === 'index' ? `i:${p.member}` : `b:${p.offset}`);
const encode = (p: Position): string => Buffer.from(textOf(p), 'utf8').toString('base64url');

function decode(cursor: string, batch: boolean): Position {
  const text = /^[A-Za-z0-9_-]{1,400}$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
  if (!batch && /^s:\d{1,20}-\d{1,20}$/.test(text)) return { kind: 'stream', entry: text.slice(2) };
  if (!batch && /^i:\d{16}:.{1,128}$/s.test(text)) return { kind: 'index', member: text.slice(2) };
  if (batch && /^b:(0|[1-9]\d{0,8})$/.test(text)) return { kind: 'batch', offset: Number(text.slice(2)) };
  throw new InvalidCursorError(`not a cursor of this listing${batch ? ' (with this batchId)' : ''}: pass "next" of the page before as given`);
}

/** The id in an index member `<16 digits>:<id>`. */
const idOf = (member: string): string => member.slice(17);

export function createListing(ctx: StoreContext) {
  const { redis, keys } = ctx;

  /** Whole records of these ids, in order, without histories; ids with no record are left out. */
  async function recordsOf(ids: readonly string[]): Promise<WithdrawalRecord[]> {
    const all = await Promise.all(ids.map((id) => redis.hgetall(keys.record(id))));
    return all.filter((f) => f.status).map((f) => parseRecord(f, [], ctx.providers));
  }

  /**
   * From candidates (newest first, each with the position after it), the first `limit` whose record is in
   * `status` (all when null), and where the next page starts. `more`: candidates go on past these.
   */
  async function pick(candidates: { id: string; after: Position }[], q: ListQuery, more: boolean): Promise<ListPage> {
    let chosen = candidates;
    if (q.status !== null) {
      const statuses = await Promise.all(candidates.map((c) => redis.hget(keys.record(c.id), 'status')));
      chosen = candidates.filter((_, i) => statuses[i] === q.status);
    }
    const page = chosen.slice(0, q.limit);
    const last = page.at(-1);
    let next: string | null = null;
    if (chosen.length > q.limit && last) next = encode(last.after);
    else if (more) {
      // The page ends where the candidates end: the next one reads on after the last examined.
      const end = candidates.at(-1);
      if (end) next = encode(end.after);
    }
    return { withdrawals: await recordsOf(page.map((c) => c.id)), next };
  }

  /** Up to `count` entries of the listing stream from `start` on (newest first). */
  async function fromStream(owner: string | null, start: string, count: number) {
    const entries = await redis.xrevrange(owner === null ? keys.listing : keys.ownerListing(owner), start, '-', 'COUNT', count);
    return entries.map(([entry, f]) => ({ id: f[1] ?? '', after: { kind: 'stream', entry } as Position }));
  }

  /** Up to `count` members of the sorted set the listing was before, from `start` on (newest first). */
  async function fromLegacy(owner: string | null, start: string, count: number) {
    const members = await redis.zrevrangebylex(owner === null ? keys.legacyListing : keys.legacyOwnerListing(owner), start, '-', 'LIMIT', 0, count);
    return members.map((m) => ({ id: idOf(m), after: { kind: 'index', member: m } as Position }));
  }

  async function fromIndex(q: ListQuery): Promise<ListPage> {
    const at = q.cursor === null ? null : decode(q.cursor, false);
    // Without a filter, one more than the page says whether another follows.
    const window = q.status === null ? q.limit + 1 : Math.max(q.limit + 1, STATUS_SCAN_WINDOW);
    let candidates;
    if (at?.kind === 'index') candidates = await fromLegacy(q.owner, `(${at.member}`, window);
    else {
      candidates = await fromStream(q.owner, at?.kind === 'stream' ? `(${at.entry}` : '+', window);
      // The stream read to its end: what is older is in the sorted set, from its newest.
      if (candidates.length < window) candidates.push(...(await fromLegacy(q.owner, '+', window - candidates.length)));
    }
    return pick(candidates, q, candidates.length === window);
  }

  async function fromBatch(q: ListQuery, batchId: string): Promise<ListPage> {
    const empty: ListPage = { withdrawals: [], next: null };
    const owner = await redis.hget(keys.batch(batchId), 'owner');
    // Another producer's batch lists as one that does not exist.
    if (owner === null || (q.owner !== null && (owner || DEFAULT_PRODUCER) !== q.owner)) return empty;
    const offset = q.cursor === null ? 0 : (decode(q.cursor, true) as { offset: number }).offset;
    const window = q.status === null ? q.limit + 1 : Math.max(q.limit + 1, STATUS_SCAN_WINDOW);
    // Items are appended as they are created: the newest are at the end of the list.
    const ids = (await redis.lrange(keys.batchItems(batchId), -(offset + window), -(offset + 1))).reverse();
    const candidates = ids.map((id, i) => ({ id, after: { kind: 'batch', offset: offset + i + 1 } as Position }));
    return pick(candidates, q, ids.length === window);
  }

  /** One page of withdrawals, newest first (see the module's comment for what a page reads). */
  function list(q: ListQuery): Promise<ListPage> {
    if (!Number.isInteger(q.limit) || q.limit < 1 || q.limit > MAX_LIST_PAGE) throw new RangeError(`limit must be 1 to ${MAX_LIST_PAGE}`);
    return q.batchId === null ? fromIndex(q) : fromBatch(q, q.batchId);
  }

  return { list };
}
