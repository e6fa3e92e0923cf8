import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisServer, type PrivateRedis } from '../support/redis-server.ts';
import { eventually, startPipeline, type Pipeline } from '../support/pipeline.ts';

let redis: PrivateRedis;
let p: Pipeline;
beforeAll(async () => {
  redis = await startRedisServer();
  p = await startPipeline({ env: { REDIS_URL: redis.url } });
});
afterAll(async () => {
  await p?.close();
  await redis?.stop();
});

async function readyz(): Promise<{ status: number; problems: string[] }> {
  const res = await fetch(`${p.baseUrl}/readyz`);
  const body = (await res.json()) as { problems?: string[]; error?: { code: string; message: string; issues: unknown[] } };
  // A 503 carries the error body of every other error answer, its message naming the problems.
  if (res.status === 503) expect(body.error).toEqual({ code: 'unavailable', message: `not ready: ${body.problems?.join('; ')}`, issues: [] });
  else expect(body.error).toBeUndefined();
  return { status: res.status, problems: body.problems ?? [] };
}

describe('GET /readyz', () => {
  it('is ready with Redis up and the workers running, and names the Redis primary it writes to', async () => {
    expect(await readyz()).toEqual({ status: 200, problems: [] });
    const body = await (await fetch(`${p.baseUrl}/readyz`)).json();
    expect(body).toEqual({ ok: true, redis: { primary: `127.0.0.1:${redis.port}` } });
  });

  it('answers 503 while Redis is down (and /metrics says so instead of hanging), ready again once it is back', async () => {
    const port = redis.port;
    await redis.stop();
    const down = await eventually(async () => {
      const r = await readyz();
      return r.status === 503 ? r : undefined;
    }, 5_000, '/readyz to fail');
    expect(down.problems).toContain('redis unreachable');
    expect((await fetch(`${p.baseUrl}/healthz`)).status).toBe(200);

    const started = Date.now();
    const metrics = await fetch(`${p.baseUrl}/metrics`);
    expect(metrics.status).toBe(200);
    const text = await metrics.text();
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(text).toMatch(/^withdrawals_metrics_redis_up 0$/m);
    // No stale numbers from Redis while it cannot be read.
    expect(text).not.toMatch(/^withdrawals_in_status\{/m);

    redis = await startRedisServer([], { port });
    await eventually(async () => ((await readyz()).status === 200 ? true : undefined), 10_000, '/readyz to recover');
  });

  it('answers 503 when the workers of this process have stopped', async () => {
    await p.workers?.close();
    const r = await readyz();
    expect(r.status).toBe(503);
    expect(r.problems).toEqual(['workers not running']);
  });
});
