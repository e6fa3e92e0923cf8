import { readFileSync } from 'node:fs';
import type { Keys } from '../keys.ts';
import type { RedisClient } from '../redis.ts';
import type { WithdrawalEvent } from '../events/types.ts';

/**
 * Delivery lanes keep per-withdrawal order: every (endpoint, withdrawal) pair has a lane of pending event
 * ids, and only the lane's head has a delivery job. When the head is delivered or dead-lettered, the
 * next event becomes the head and gets its job. Replays use lanes of their own (`replayId` set).
 */
export interface LaneRef {
  endpointId: string;
  /** Set for the lanes of one replay request; '' for live deliveries. */
  replayId: string;
  subject: string;
}

export function laneId(ref: LaneRef): string {
  return `${ref.endpointId}|${ref.replayId}|${ref.subject}`;
}

export function parseLaneId(id: string): LaneRef | null {
  const a = id.indexOf('|');
  const b = id.indexOf('|', a + 1);
  if (a <= 0 || b < 0) return null;
  return { endpointId: id.slice(0, a), replayId: id.slice(a + 1, b), subject: id.slice(b + 1) };
}

/** What orders an event: the withdrawal it is about, or the batch. */
export function subjectOf(event: WithdrawalEvent): string {
  const data = event.data;
  if (data && typeof data === 'object') {
    if (event.type.startsWith('withdrawal.') && 'id' in data && typeof data.id === 'string') return `w:${data.id}`;
    if (event.type === 'batch.done' && 'batchId' in data && typeof data.batchId === 'string') return `b:${data.batchId}`;
  }
  return `e:${event.id}`;
}

/** BullMQ job id of a lane entry's delivery: unique per endpoint, event and replay; no ':' (BullMQ refuses it). */
export function deliveryJobId(lane: string, eventId: string): string {
  const ref = parseLaneId(lane);
  const endpointId = ref?.endpointId ?? 'invalid';
  return ref?.replayId ? `${endpointId}.${eventId}.${ref.replayId}` : `${endpointId}.${eventId}`;
}

export interface LanePush {
  lane: string;
  eventId: string;
}

/** The live fan-out's guard: the push only happens while the caller holds the lock and the cursor did not move. */
export interface CursorGuard {
  lockToken: string;
  expectedCursor: string;
  newCursor: string;
}

interface LaneCommands {
  whLanePush(...args: (string | number)[]): Promise<string[]>;
  whLaneAdvance(...args: (string | number)[]): Promise<string | null>;
}

const here = new URL('./lua/', import.meta.url);

export type Lanes = ReturnType<typeof createLanes>;

export interface LaneOptions {
  now?: () => number;
  /** WEBHOOK_MAX_WAITING_PER_ENDPOINT: live deliveries one endpoint may have waiting; past it new events are dropped (0: no limit). */
  maxWaitingPerEndpoint?: number;
  /** Live pushes dropped at that limit (metrics, a log line). */
  onDropped?(pushes: readonly LanePush[]): void;
}

export function createLanes(conn: RedisClient, keys: Keys, opts: LaneOptions = {}) {
  const now = opts.now ?? Date.now;
  conn.defineCommand('whLanePush', { lua: readFileSync(new URL('push.lua', here), 'utf8') });
  conn.defineCommand('whLaneAdvance', { numberOfKeys: 3, lua: readFileSync(new URL('advance.lua', here), 'utf8') });
  const redis = conn as RedisClient & LaneCommands;

  return {
    /** Appends events (in event order) to their lanes; returns the pushes that became a head, or 'stale'. */
    async push(pushes: readonly LanePush[], guard?: CursorGuard): Promise<LanePush[] | 'stale'> {
      const laneKeys = pushes.map((p) => keys.webhookLane(p.lane));
      const args = pushes.flatMap((p) => [p.lane, p.eventId]);
      const res = await redis.whLanePush(
        4 + laneKeys.length,
        keys.webhookLock,
        keys.webhookCursor,
        keys.webhookLanes,
        keys.webhookWaiting,
        ...laneKeys,
        guard?.lockToken ?? '',
        guard?.expectedCursor ?? '',
        guard?.newCursor ?? '',
        now(),
        opts.maxWaitingPerEndpoint ?? 0,
        ...args,
      );
      if (res[0] !== 'ok') return 'stale';
      const marked = (mark: string) =>
        res.slice(1).flatMap((m) => {
          const p = m.startsWith(mark) ? pushes[Number(m.slice(1)) - 1] : undefined;
          return p ? [p] : [];
        });
      const dropped = marked('d');
      if (dropped.length > 0) opts.onDropped?.(dropped);
      return marked('h');
    },
    /** Removes `eventId` if it is the head; returns the lane's head afterwards (null: the lane is empty). */
    async advance(lane: string, eventId: string): Promise<string | null> {
      return redis.whLaneAdvance(keys.webhookLane(lane), keys.webhookLanes, keys.webhookWaiting, lane, eventId, now());
    },
    /** The lane's head, dropping the lane from the index when it is empty (atomically: a push may race). */
    async peek(lane: string): Promise<string | null> {
      return redis.whLaneAdvance(keys.webhookLane(lane), keys.webhookLanes, keys.webhookWaiting, lane, '', now());
    },
    /** Lanes whose head has not changed since `beforeMs`, oldest first: candidates for repair. */
    async idle(beforeMs: number, limit: number): Promise<string[]> {
      return redis.zrangebyscore(keys.webhookLanes, '-inf', beforeMs, 'LIMIT', 0, limit);
    },
    /** Live deliveries waiting in one endpoint's lanes. */
    async waiting(endpointId: string): Promise<number> {
      return Number((await redis.hget(keys.webhookWaiting, endpointId)) ?? 0);
    },
    async touch(lane: string): Promise<void> {
      await redis.zadd(keys.webhookLanes, 'XX', now(), lane);
    },
  };
}
