import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisServer, type PrivateRedis } from '../support/redis-server.ts';
import { withdrawalBody } from '../support/invoices.ts';
import { startPipeline, type Pipeline } from '../support/pipeline.ts';

let redis: PrivateRedis;
let p: Pipeline;
beforeAll(async () => {
  redis = await startRedisServer();
  p = await startPipeline({ workers: false, env: { REDIS_URL: redis.url } });
});
afterAll(async () => {
  await p?.close();
  await redis?.stop();
});

describe('when Redis is down', () => {
  it('answers 503 unavailable and accepts nothing; /readyz fails', async () => {
    const { body } = withdrawalBody('turinpay');
    await redis.stop();
    const res = await p.call('POST', '/v1/withdrawals', body);
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe('unavailable');
    const ready = await fetch(`${p.baseUrl}/readyz`);
    expect(ready.status).toBe(503);
    const health = await fetch(`${p.baseUrl}/healthz`);
    expect(health.status).toBe(200);
  });
});
