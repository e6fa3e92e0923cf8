/**
 * A `withdrawals worker` process with METRICS_PORT serves /metrics, /healthz and /readyz: its own
 * provider requests, Redis-backed gauges equal to the API's, and 503 from /readyz once its Redis is
 * gone. The API runs in this process without workers, so every payout goes through the child.
 */
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/demo/redis-server.ts';
import { withdrawalBody } from '../support/invoices.ts';
import { eventually, startPipeline, type Pipeline } from '../support/pipeline.ts';
import { startWorkerProcess, stopAllProcesses, type ServiceProcess } from '../support/processes.ts';
import { startRedisServer, type PrivateRedis } from '../support/redis-server.ts';

let redis: PrivateRedis;
let p: Pipeline;
let worker: ServiceProcess;
let metricsUrl: string;

beforeAll(async () => {
  redis = await startRedisServer();
  // Every TurinPay payout is pending at first: the worker submits it, then looks it up.
  p = await startPipeline({ env: { REDIS_URL: redis.url }, workers: false, sandbox: { faults: { turinpay: { pick: () => 'pending_then_success' } } } });
  const port = await freePort();
  metricsUrl = `http://127.0.0.1:${port}`;
  worker = await startWorkerProcess('worker', {
    REDIS_URL: redis.url,
    QUEUE_PREFIX: p.config.QUEUE_PREFIX,
    LN_NETWORK: 'regtest',
    AURPAY_BASE_URL: p.sandbox.aurpayUrl,
    AURPAY_API_KEY: 'sandbox-aurpay-key-1',
    TURINPAY_BASE_URL: p.sandbox.turinpayUrl,
    TURINPAY_API_KEY: 'sandbox-turinpay-key-1',
    PROVIDER_TIMEOUT_MS: '1000',
    SETTLE_POLL_MS: '100',
    SETTLE_POLL_MAX_MS: '500',
    HOST: '127.0.0.1',
    METRICS_PORT: String(port),
    LOG_LEVEL: 'info',
  });
});
afterAll(async () => {
  await stopAllProcesses();
  await p?.close();
  await redis?.stop();
  if (redis) rmSync(redis.dir, { recursive: true, force: true });
});

async function get(url: string): Promise<{ status: number; type: string | null; text: string }> {
  const res = await fetch(url);
  return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
}

/** The value of one sample line, `name{labels} value`, labels in the order prom-client writes them. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

const SUBMIT_ACCEPTED = 'withdrawals_provider_requests_total{provider="turinpay",operation="submit",outcome="accepted"}';
const LOOKUP_FOUND = 'withdrawals_provider_requests_total{provider="turinpay",operation="lookup",outcome="found"}';
const SUCCEEDED = 'withdrawals_in_status{provider="turinpay",status="succeeded"}';

describe('withdrawals worker with METRICS_PORT', () => {
  it('logs where it listens, answers /healthz and /readyz with 200, /readyz naming the Redis primary', async () => {
    expect(worker.count(/"msg":"metrics listening"/)).toBe(1);
    expect(await get(`${metricsUrl}/healthz`)).toMatchObject({ status: 200, text: '{"ok":true}' });
    expect(await get(`${metricsUrl}/readyz`)).toMatchObject({ status: 200, text: JSON.stringify({ ok: true, redis: { primary: `127.0.0.1:${redis.port}` } }) });
  });

  it("serves its own provider requests after a payout made through it, while the API process's stay at 0", async () => {
    const { body } = withdrawalBody('turinpay');
    expect((await p.call('POST', '/v1/withdrawals', body)).status).toBe(202);
    await eventually(async () => ((await p.call('GET', `/v1/withdrawals/${body.id}`)).body.status === 'succeeded' ? true : undefined), 20_000, 'the payout to settle');

    const own = await get(`${metricsUrl}/metrics`);
    expect(own.status).toBe(200);
    expect(own.type).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(sample(own.text, SUBMIT_ACCEPTED)).toBe(1);
    expect(sample(own.text, LOOKUP_FOUND)).toBeGreaterThanOrEqual(1);
    expect(sample(own.text, 'withdrawals_settle_duration_seconds_count{provider="turinpay",status="succeeded"}')).toBe(1);

    // Counters are per process; gauges read from Redis are the same in every process.
    const api = await get(`${p.baseUrl}/metrics`);
    expect(sample(api.text, SUBMIT_ACCEPTED)).toBe(0);
    expect(sample(api.text, SUCCEEDED)).toBe(1);
    expect(sample(own.text, SUCCEEDED)).toBe(1);
  });

  it('answers unknown paths and broken requests with the error body, and keeps serving', async () => {
    const missing = await get(`${metricsUrl}/v1/withdrawals`);
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.text)).toEqual({ error: { code: 'not_found', message: 'no route GET /v1/withdrawals', issues: [] } });
    const post = await fetch(`${metricsUrl}/metrics`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
    expect(post.status).toBe(404);
    expect(((await post.json()) as { error: { code: string } }).error.code).toBe('not_found');
    const large = await fetch(`${metricsUrl}/metrics`, { method: 'POST', body: 'x'.repeat(10_000), headers: { 'content-type': 'text/plain' } });
    expect(large.status).toBe(413);
    expect(((await large.json()) as { error: { code: string } }).error.code).toBe('invalid_request');
    const broken = await get(`${metricsUrl}/%zz`);
    expect(broken.status).toBe(400);
    expect(JSON.parse(broken.text)).toMatchObject({ error: { code: 'invalid_request' } });
    expect((await get(`${metricsUrl}/healthz`)).status).toBe(200);
    expect(worker.running()).toBe(true);
  });

  it('answers /readyz 503 with the problems and the error body once its Redis is gone; /healthz stays 200', async () => {
    await redis.stop();
    const down = await eventually(async () => {
      const r = await get(`${metricsUrl}/readyz`);
      return r.status === 503 ? r : undefined;
    }, 10_000, '/readyz to answer 503');
    expect(JSON.parse(down.text)).toEqual({
      ok: false,
      problems: ['redis unreachable'],
      error: { code: 'unavailable', message: 'not ready: redis unreachable', issues: [] },
    });
    expect((await get(`${metricsUrl}/healthz`)).status).toBe(200);
  });
});
