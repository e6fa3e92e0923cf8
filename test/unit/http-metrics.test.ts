/**
 * HTTP request metrics on a bare Fastify app: counted by method, route template and status class,
 * timed in the same labels, and bounded: ids in paths, unknown paths and odd methods add no series.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHttpMetrics, measureRequests, statusClass } from '../../src/metrics/http.ts';

let registry: Registry;
let app: FastifyInstance;

beforeEach(async () => {
  registry = new Registry();
  app = Fastify();
  measureRequests(app, createHttpMetrics([registry]));
  await app.register(
    async (v1) => {
      v1.get<{ Params: { id: string } }>('/things/:id', async (req, reply) => (req.params.id === 'missing' ? reply.code(404).send({}) : { id: req.params.id }));
      v1.post('/things', async (_req, reply) => reply.code(202).send({}));
    },
    { prefix: '/v1' },
  );
  app.get('/boom', async () => {
    throw new Error('broken');
  });
  app.get('/busy', async (_req, reply) => reply.code(503).send({}));
});
afterEach(async () => {
  await app.close();
});

/** The exposition's sample lines of one family (with its _bucket, _sum, _count series). */
async function lines(name: string): Promise<string[]> {
  return (await registry.metrics()).split('\n').filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name}_`));
}

describe('measureRequests', () => {
  it('counts answers by method, route template and status class, ids never in a label', async () => {
    for (const id of ['a-1', 'b-2', 'c-3']) expect((await app.inject({ method: 'GET', url: `/v1/things/${id}` })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/v1/things/missing' })).statusCode).toBe(404);
    expect((await app.inject({ method: 'POST', url: '/v1/things', payload: {} })).statusCode).toBe(202);
    expect((await app.inject({ method: 'GET', url: '/boom' })).statusCode).toBe(500);
    expect((await app.inject({ method: 'GET', url: '/busy' })).statusCode).toBe(503);

    const counts = await lines('withdrawals_http_requests_total');
    expect(counts).toContain('withdrawals_http_requests_total{method="GET",route="/v1/things/:id",status_class="2xx"} 3');
    expect(counts).toContain('withdrawals_http_requests_total{method="GET",route="/v1/things/:id",status_class="4xx"} 1');
    expect(counts).toContain('withdrawals_http_requests_total{method="POST",route="/v1/things",status_class="2xx"} 1');
    expect(counts).toContain('withdrawals_http_requests_total{method="GET",route="/boom",status_class="5xx"} 1');
    expect(counts).toContain('withdrawals_http_requests_total{method="GET",route="/busy",status_class="5xx"} 1');
    expect(counts.join('\n')).not.toMatch(/a-1|b-2|c-3|missing/);

    const durations = await lines('withdrawals_http_request_duration_seconds');
    expect(durations).toContain('withdrawals_http_request_duration_seconds_count{method="GET",route="/v1/things/:id",status_class="2xx"} 3');
    expect(durations).toContain('withdrawals_http_request_duration_seconds_bucket{le="+Inf",method="GET",route="/v1/things/:id",status_class="2xx"} 3');
  });

  it('gives every declared route its 5xx series at 0 before any request, so an error share reads 0', async () => {
    await app.ready();
    const counts = await lines('withdrawals_http_requests_total');
    expect(counts).toEqual(
      expect.arrayContaining([
        'withdrawals_http_requests_total{method="GET",route="/v1/things/:id",status_class="5xx"} 0',
        'withdrawals_http_requests_total{method="POST",route="/v1/things",status_class="5xx"} 0',
      ]),
    );
  });

  it('puts every unknown path and odd method into one unmatched series: tried paths add none', async () => {
    await app.ready();
    const before = (await lines('withdrawals_http_requests_total')).length;
    for (let i = 0; i < 20; i++) expect((await app.inject({ method: 'GET', url: `/probe-${i}/${'x'.repeat(i)}` })).statusCode).toBe(404);
    // A WebDAV method no route declares (inject's types list only the common ones).
    const propfind = 'PROPFIND' as unknown as 'GET';
    expect((await app.inject({ method: propfind, url: '/v1/things/a-1' })).statusCode).toBe(404);
    const counts = await lines('withdrawals_http_requests_total');
    expect(counts).toContain('withdrawals_http_requests_total{method="GET",route="unmatched",status_class="4xx"} 20');
    expect(counts).toContain('withdrawals_http_requests_total{method="other",route="unmatched",status_class="4xx"} 1');
    expect(counts.length).toBe(before + 2);
    expect(counts.join('\n')).not.toMatch(/probe/);
  });

  it('names status classes 1xx to 5xx, anything else other', () => {
    expect([101, 200, 204, 302, 404, 499, 500, 503, 599].map(statusClass)).toEqual(['1xx', '2xx', '2xx', '3xx', '4xx', '4xx', '5xx', '5xx', '5xx']);
    expect([0, 99, 600, 999].map(statusClass)).toEqual(['other', 'other', 'other', 'other']);
  });
});
