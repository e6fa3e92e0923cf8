/**
 * The API's own scrape: every answer counted by route template and status class, ids and unknown
 * paths never in a label (they add no series), and the age of the oldest withdrawal awaiting approval.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withdrawalBody } from '../support/invoices.ts';
import { startPipeline, type Pipeline } from '../support/pipeline.ts';

let p: Pipeline;
beforeAll(async () => {
  p = await startPipeline({ workers: false, env: { APPROVAL_THRESHOLD_MSAT: '5000000' } });
});
afterAll(async () => {
  await p?.close();
});

async function scrape(): Promise<string> {
  // A scrape within a second of the last one is answered from it.
  await new Promise((r) => setTimeout(r, 1100));
  const res = await fetch(`${p.baseUrl}/metrics`);
  expect(res.status).toBe(200);
  return res.text();
}

const series = (text: string, name: string) => text.split('\n').filter((l) => l.startsWith(`${name}{`));

describe('HTTP metrics of the API', () => {
  const ids: string[] = [];

  it('count answers by route template and status class, with their time', async () => {
    const { body } = withdrawalBody('aurpay', 9_000_000n);
    expect((await p.call('POST', '/v1/withdrawals', body)).status).toBe(202);
    expect((await p.call('GET', `/v1/withdrawals/${body.id}`)).status).toBe(200);
    for (let i = 0; i < 3; i++) {
      const id = `missing-${randomUUID()}`;
      ids.push(id);
      expect((await p.call('GET', `/v1/withdrawals/${id}`)).status).toBe(404);
    }
    const unknownPath = `/no-such-path/${randomUUID()}`;
    ids.push(unknownPath);
    expect((await fetch(`${p.baseUrl}${unknownPath}`)).status).toBe(404);

    const text = await scrape();
    const counts = series(text, 'withdrawals_http_requests_total');
    expect(counts).toContain('withdrawals_http_requests_total{method="POST",route="/v1/withdrawals",status_class="2xx"} 1');
    expect(counts).toContain('withdrawals_http_requests_total{method="GET",route="/v1/withdrawals/:id",status_class="2xx"} 1');
    expect(counts).toContain('withdrawals_http_requests_total{method="GET",route="/v1/withdrawals/:id",status_class="4xx"} 3');
    expect(counts).toContain('withdrawals_http_requests_total{method="GET",route="unmatched",status_class="4xx"} 1');
    // Every route's 5xx series is there from the start, at 0.
    expect(counts).toContain('withdrawals_http_requests_total{method="POST",route="/v1/batches",status_class="5xx"} 0');
    expect(text).toMatch(/^withdrawals_http_request_duration_seconds_count\{method="GET",route="\/v1\/withdrawals\/:id",status_class="4xx"\} 3$/m);
    for (const id of [body.id, ...ids]) expect(text).not.toContain(id);
  });

  it('add no series for paths and ids never seen before', async () => {
    const before = await scrape();
    for (let i = 0; i < 20; i++) {
      expect((await fetch(`${p.baseUrl}/probe-${randomUUID()}`)).status).toBe(404);
      expect((await p.call('GET', `/v1/withdrawals/probe-${randomUUID()}`)).status).toBe(404);
    }
    const after = await scrape();
    const names = (text: string) => series(text, 'withdrawals_http_requests_total').map((l) => l.slice(0, l.lastIndexOf(' ')));
    // The scrapes themselves (GET /metrics 2xx) may have been counted first in between.
    expect(names(after).filter((n) => !names(before).includes(n) && !n.includes('route="/metrics"'))).toEqual([]);
    expect(after).not.toContain('probe-');
  });

  it('report how long the oldest withdrawal awaiting approval has waited', async () => {
    const text = await scrape();
    const age = Number(/^withdrawals_oldest_awaiting_approval_age_seconds\{provider="aurpay"\} (\S+)$/m.exec(text)?.[1]);
    expect(age).toBeGreaterThan(1);
    expect(age).toBeLessThan(120);
    expect(text).toMatch(/^withdrawals_oldest_awaiting_approval_age_seconds\{provider="turinpay"\} 0$/m);
  });
});
