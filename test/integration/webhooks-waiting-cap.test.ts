import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLanes, laneId, type LanePush } from '../../src/webhooks/lanes.ts';
import { testRedis, type TestRedis } from '../support/redis.ts';

/** WEBHOOK_MAX_WAITING_PER_ENDPOINT: an endpoint that stops answering holds at most that many live deliveries in Redis. */

let t: TestRedis;
beforeAll(async () => {
  t = await testRedis('webhook-waiting-cap');
});
afterAll(async () => t.cleanup());

const live = (endpointId: string, subject: string, eventId: string): LanePush => ({ lane: laneId({ endpointId, replayId: '', subject }), eventId });

describe('the waiting deliveries of one endpoint', () => {
  it('are capped: past the limit new live events are dropped for it alone, counted, and room comes back as deliveries end', async () => {
    const dropped: LanePush[] = [];
    const lanes = createLanes(t.redis, t.keys, { maxWaitingPerEndpoint: 3, onDropped: (p) => dropped.push(...p) });
    // Endpoint A stops answering: its lanes fill (two withdrawals, two events each).
    const a = [live('ep_a', 'w:1', '0001'), live('ep_a', 'w:1', '0002'), live('ep_a', 'w:2', '0003'), live('ep_a', 'w:2', '0004')];
    const heads = await lanes.push(a);
    expect(heads).toEqual([a[0], a[2]]);
    expect(dropped).toEqual([a[3]]);
    expect(await lanes.waiting('ep_a')).toBe(3);
    expect(await t.redis.zrange(t.keys.webhookLane(a[1]?.lane ?? ''), 0, -1)).toEqual(['0001', '0002']);
    expect(await t.redis.zcard(t.keys.webhookLane(a[3]?.lane ?? ''))).toBe(1);

    // Another endpoint's deliveries are not held back by A's.
    const b = live('ep_b', 'w:1', '0005');
    expect(await lanes.push([b])).toEqual([b]);
    expect(await lanes.waiting('ep_b')).toBe(1);

    // A replay to A has its own bound (WEBHOOK_REPLAY_MAX): the live limit does not refuse it.
    const replayed: LanePush = { lane: laneId({ endpointId: 'ep_a', replayId: 'rp_1', subject: 'w:9' }), eventId: '0009' };
    expect(await lanes.push([replayed])).toEqual([replayed]);
    expect(await lanes.waiting('ep_a')).toBe(3);

    // A's head is delivered: one place frees, the next event is taken.
    expect(await lanes.advance(a[0]?.lane ?? '', '0001')).toBe('0002');
    expect(await lanes.waiting('ep_a')).toBe(2);
    const next = live('ep_a', 'w:3', '0006');
    expect(await lanes.push([next])).toEqual([next]);
    expect(dropped).toHaveLength(1);

    // Once everything is delivered the count is gone, not left behind.
    await lanes.advance(a[0]?.lane ?? '', '0002');
    await lanes.advance(a[2]?.lane ?? '', '0003');
    await lanes.advance(next.lane, '0006');
    await lanes.advance(replayed.lane, '0009');
    await lanes.advance(b.lane, '0005');
    expect(await t.redis.hgetall(t.keys.webhookWaiting)).toEqual({});
  });

  it('counts an event pushed twice (a fan-out step run again) once', async () => {
    const lanes = createLanes(t.redis, t.keys, { maxWaitingPerEndpoint: 1 });
    const p = live('ep_c', 'w:1', '0001');
    expect(await lanes.push([p])).toEqual([p]);
    const dropped: LanePush[] = [];
    const again = createLanes(t.redis, t.keys, { maxWaitingPerEndpoint: 1, onDropped: (d) => dropped.push(...d) });
    expect(await again.push([p])).toEqual([]);
    expect(dropped).toEqual([]);
    expect(await lanes.waiting('ep_c')).toBe(1);
  });
});
