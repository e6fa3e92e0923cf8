import { deliveryJobId, type Lanes } from './lanes.ts';
import { enqueueHeads, type WebhookQueue } from './queue.ts';

/**
 * Lanes whose head has not moved for `idleMs` are checked against their job: a head whose job finished
 * (the process died between delivering and moving the lane on) moves on; a head with no job (died
 * between the fan-out and adding it) gets one. Returns how many lanes needed it.
 */
export async function repairLanes(lanes: Lanes, queue: WebhookQueue, idleMs: number, limit: number, now = Date.now()): Promise<number> {
  let repaired = 0;
  for (const lane of await lanes.idle(now - idleMs, limit)) {
    const head = await lanes.peek(lane);
    if (!head) continue;
    const state = await queue.getJobState(deliveryJobId(lane, head));
    if (state === 'completed' || state === 'failed') {
      const next = await lanes.advance(lane, head);
      if (next) await enqueueHeads(queue, [{ lane, eventId: next }]);
      repaired++;
    } else if (state === 'unknown') {
      await enqueueHeads(queue, [{ lane, eventId: head }]);
      await lanes.touch(lane);
      repaired++;
    } else {
      await lanes.touch(lane);
    }
  }
  return repaired;
}
