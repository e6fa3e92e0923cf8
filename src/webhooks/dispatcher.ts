import { randomUUID } from 'node:crypto';
import type { Logger } from '../logger.ts';
import type { RedisClient } from '../redis.ts';
import { fanOutOnce, type FanOutDeps } from './fanout.ts';
import { createLease } from './leader.ts';
import { repairLanes } from './repair.ts';

export interface DispatcherSettings {
  /** How long an idle dispatcher blocks on the stream before checking its lease again (ms). */
  blockMs: number;
  /** The lease: another process takes over this long after the dispatcher's process dies (ms). */
  leaseMs: number;
  /** How often the lane repair runs, and how long a lane's head must be idle to be checked (ms). */
  repairEveryMs: number;
  laneIdleMs: number;
}

export interface DispatcherDeps extends FanOutDeps {
  /** A connection of its own: XREAD BLOCK holds it while waiting for events. */
  blocking: RedisClient;
  logger: Logger;
  settings: DispatcherSettings;
}

export interface RunningDispatcher {
  isLeader(): boolean;
  /** Stops the loop and releases the lease (another process takes over at once). Idempotent. */
  close(): Promise<void>;
}

/**
 * The fan-out loop. Every process runs one; the one holding the lease fans events out, the others wait
 * to take over. Fan-out is cheap (lane pushes and job adds); deliveries run in the webhooks queue's workers.
 */
export function startDispatcher(d: DispatcherDeps): RunningDispatcher {
  const { settings, logger } = d;
  const lease = createLease(d.redis, d.keys.webhookLock, randomUUID(), settings.leaseMs);
  let leader = false;
  let stopped = false;
  let lastRepair = 0;
  let wake: (() => void) | undefined;

  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(t);
        resolve();
      };
    });

  async function waitForEvents(cursor: string): Promise<void> {
    await d.blocking.xread('COUNT', 1, 'BLOCK', settings.blockMs, 'STREAMS', d.keys.events, cursor);
  }

  async function step(): Promise<void> {
    leader = await lease.hold();
    if (!leader) return pause(settings.leaseMs / 2);
    const res = await fanOutOnce(d, lease.token);
    if (res.stale) {
      leader = false;
      return;
    }
    if (Date.now() - lastRepair >= settings.repairEveryMs) {
      lastRepair = Date.now();
      const repaired = await repairLanes(d.lanes, d.queue, settings.laneIdleMs, 100);
      if (repaired > 0) logger.warn({ repaired }, 'webhook lanes repaired after an interrupted delivery');
    }
    if (res.moved < d.batchSize) await waitForEvents(res.cursor);
  }

  const loop = (async () => {
    while (!stopped) {
      try {
        await step();
      } catch (err) {
        if (stopped) break;
        logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'webhook dispatcher step failed; retrying');
        await pause(1000);
      }
    }
  })();

  let closing: Promise<void> | undefined;
  return {
    isLeader: () => leader,
    close() {
      closing ??= (async () => {
        stopped = true;
        wake?.();
        d.blocking.disconnect();
        await loop;
        if (leader) await lease.release().catch(() => undefined);
      })();
      return closing;
    },
  };
}
