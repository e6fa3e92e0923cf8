import { Queue } from 'bullmq';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBreaker } from '../../src/queues/breaker.ts';
import type { SubmitOutcome } from '../../src/providers/types.ts';
import { fixedFault } from '../../src/providers/sandbox/index.ts';
import { withdrawalBody } from '../support/invoices.ts';
import { eventually, startPipeline } from '../support/pipeline.ts';
import { testRedis, type TestRedis } from '../support/redis.ts';

let t: TestRedis;
let queue: Queue;
let clock = 1_000_000;
beforeAll(async () => {
  t = await testRedis('breaker');
  queue = new Queue('submit-aurpay', { connection: t.redis, prefix: t.keys.bullPrefix });
});
afterAll(async () => {
  await queue.close();
  await t.cleanup();
});

const unknown: SubmitOutcome = { kind: 'unknown', reason: 'HTTP 502' };
const accepted: SubmitOutcome = { kind: 'accepted', status: 'pending', providerRef: 'r', feeMsat: null, raw: {} };

describe('circuit breaker', () => {
  it('opens after the threshold of unknown outcomes, half-opens after the cool-down, closes on a good probe', async () => {
    const b = createBreaker({
      redis: t.redis,
      keys: t.keys,
      provider: 'aurpay',
      queue,
      settings: { threshold: 3, cooldownMs: 5000 },
      logger: pino({ level: 'silent' }),
      now: () => clock,
    });
    await b.record(unknown);
    await b.record(accepted); // a success in between resets the count
    await b.record(unknown);
    await b.record(unknown);
    expect(await b.state()).toBe('closed');
    expect(await queue.isPaused()).toBe(false);
    await b.record(unknown);
    expect(await b.state()).toBe('open');
    expect(await queue.isPaused()).toBe(true);

    clock += 4000;
    expect(await b.tick()).toBe('open');
    clock += 2000;
    expect(await b.tick()).toBe('half_open');
    expect(await queue.isPaused()).toBe(false);
    expect(await queue.getGlobalConcurrency()).toBe(1);

    // The probe fails: open again, for another cool-down.
    await b.record(unknown);
    expect(await b.state()).toBe('open');
    expect(await queue.isPaused()).toBe(true);
    clock += 6000;
    await b.tick();
    await b.record(accepted);
    expect(await b.state()).toBe('closed');
    expect(await queue.getGlobalConcurrency()).toBeNull();
  });

  it('resumes a queue left paused while the breaker is half-open (its resume lost in a Redis failover), and keeps an open one paused', async () => {
    const b = createBreaker({
      redis: t.redis,
      keys: t.keys,
      provider: 'aurpay',
      queue,
      settings: { threshold: 1, cooldownMs: 5000 },
      logger: pino({ level: 'silent' }),
      now: () => clock,
    });
    await b.record(unknown);
    expect(await b.state()).toBe('open');
    // Within the cool-down an open breaker's queue stays paused.
    expect(await b.tick()).toBe('open');
    expect(await queue.isPaused()).toBe(true);
    // What a promoted replica may hold: the state half_open written, the resume after it lost.
    await t.redis.hset(t.keys.meta('breaker:aurpay'), 'state', 'half_open');
    expect(await b.tick()).toBe('half_open');
    expect(await queue.isPaused()).toBe(false);
    await b.record(accepted);
    expect(await b.state()).toBe('closed');
  });

  it('a probe that went through leaves a breaker that another process re-opened meanwhile open, its queue paused', async () => {
    const settings = { threshold: 1, cooldownMs: 5000 };
    const logger = pino({ level: 'silent' });
    const a = createBreaker({ redis: t.redis, keys: t.keys, provider: 'aurpay', queue, settings, logger, now: () => clock });
    await a.record(unknown);
    clock += 6000;
    expect(await a.tick()).toBe('half_open');
    // Process B read the breaker half-open (its probe's success on the way) just before process A
    // recorded a late failure of an older submit and re-opened it.
    let stale = true;
    const staleRead = new Proxy(t.redis, {
      get(target, prop) {
        if (prop === 'hmget' && stale) {
          stale = false;
          return async () => ['half_open', '0'];
        }
        const v: unknown = Reflect.get(target, prop, target);
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
    const b = createBreaker({ redis: staleRead, keys: t.keys, provider: 'aurpay', queue, settings, logger, now: () => clock });
    await a.record(unknown);
    expect(await a.state()).toBe('open');
    await b.record(accepted);
    expect(stale).toBe(false);
    expect(await a.state()).toBe('open');
    expect(await queue.isPaused()).toBe(true);
    clock += 6000;
    expect(await a.tick()).toBe('half_open');
    await a.record(accepted);
    expect(await a.state()).toBe('closed');
    expect(await queue.isPaused()).toBe(false);
  });
});

describe('breaker in the pipeline', () => {
  it('pauses submissions to a failing provider while settlement keeps settling the unknown ones', async () => {
    const p = await startPipeline({
      sandbox: { faults: { turinpay: fixedFault('error_after_payment') } },
      env: { BREAKER_THRESHOLD: '3', BREAKER_COOLDOWN_MS: '600000', SUBMIT_CONCURRENCY: '1' },
    });
    try {
      const bodies = Array.from({ length: 6 }, () => withdrawalBody('turinpay').body);
      for (const b of bodies) expect((await p.call('POST', '/v1/withdrawals', b)).status).toBe(202);
      await eventually(async () => ((await p.runtime.queues.submitQueue('turinpay').isPaused()) ? true : undefined), 15_000, 'breaker open');
      // The three that reached the provider are reconciled to succeeded; the rest wait, queued, unpaid.
      const settled = await eventually(async () => {
        const recs = await Promise.all(bodies.map(async (b) => (await p.call('GET', `/v1/withdrawals/${b.id}`)).body.status as string));
        return recs.filter((s) => s === 'succeeded').length >= 3 ? recs : undefined;
      }, 15_000, 'unknowns settled');
      expect(settled.filter((s) => s === 'succeeded')).toHaveLength(3);
      expect(settled.filter((s) => s === 'queued')).toHaveLength(3);
      expect(p.sandbox.ledger.payments()).toHaveLength(3);
      expect(p.logLines.some((l) => l.includes('circuit breaker open'))).toBe(true);
    } finally {
      await p.close();
    }
  });
});
