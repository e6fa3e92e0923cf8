import { createServer, type ServerResponse, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callApi } from '../support/http.ts';
import { withdrawalBody } from '../support/invoices.ts';
import { eventually, startPipeline, type Pipeline } from '../support/pipeline.ts';

/**
 * A producer that replays its whole history, many times at once, to an endpoint that never answers
 * cannot delay another producer's live delivery: replays are rate-limited and bounded, and they wait
 * in their owner's delivery slots like live deliveries.
 */
const OTHER_TOKEN = 'other-token-0001';
const PER_OWNER = 2;

let p: Pipeline;
let receiver: Server;
let base = '';
const held: ServerResponse[] = [];
let releaseAll = false;
const fast: { id: string; at: number }[] = [];
const other = (method: string, path: string, body?: unknown) => callApi(p.baseUrl, OTHER_TOKEN, method, path, body);

beforeAll(async () => {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.url === '/slow' && !releaseAll) {
        held.push(res);
        res.on('close', () => held.splice(held.indexOf(res), 1));
        return;
      }
      if (req.url === '/fast') fast.push({ id: JSON.parse(Buffer.concat(chunks).toString('utf8')).id, at: Date.now() });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  p = await startPipeline({
    env: {
      API_TOKENS: `tester=test-token-00001,other=${OTHER_TOKEN}`,
      WEBHOOK_ALLOW_PRIVATE: 'true',
      WEBHOOK_CONCURRENCY: '4',
      WEBHOOK_MAX_IN_FLIGHT_PER_OWNER: String(PER_OWNER),
      WEBHOOK_TIMEOUT_MS: '60000',
      WEBHOOK_REPLAYS_PER_MIN: '5',
      WEBHOOK_REPLAY_MAX: '200',
    },
  });
});
afterAll(async () => {
  releaseAll = true;
  for (const res of [...held]) res.writeHead(204).end();
  await p?.close();
  receiver.closeAllConnections();
  await new Promise((resolve) => receiver.close(resolve));
});

describe('hostile webhook replays', () => {
  it("leave another producer's live delivery on time: replays past the rate answer 429, the rest wait in their owner's slots", async () => {
    for (let i = 0; i < 20; i++) expect((await p.call('POST', '/v1/withdrawals', withdrawalBody('turinpay').body)).status).toBe(202);
    const until = await eventually(
      async () => {
        const page = (await p.call('GET', '/v1/events?limit=1000')).body as { events: { id: string }[] };
        return page.events.length >= 40 ? page.events.at(-1)?.id : undefined;
      },
      20_000,
      "the hostile producer's history",
    );
    const { id } = (await p.call('POST', '/v1/webhooks', { url: `${base}/slow` })).body;
    // Twenty replays of the whole history at once, to an endpoint that never answers.
    const answers = await Promise.all(Array.from({ length: 20 }, () => p.call('POST', `/v1/webhooks/${id}/replay`, { until })));
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 202).length).toBeLessThanOrEqual(5);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(15);
    await eventually(async () => (held.length === PER_OWNER ? true : undefined), 15_000, "the hostile owner's slots in flight");

    expect((await other('POST', '/v1/webhooks', { url: `${base}/fast`, events: ['withdrawal.queued'] })).status).toBe(201);
    const sent = Date.now();
    expect((await other('POST', '/v1/withdrawals', withdrawalBody('turinpay').body)).status).toBe(202);
    await eventually(async () => (fast.length >= 1 ? true : undefined), 10_000, "the other producer's delivery");
    const delayMs = (fast[0]?.at ?? Infinity) - sent;
    console.log(`other producer's delivery arrived ${delayMs} ms after its withdrawal, during ${statuses.filter((s) => s === 202).length} hostile replays`);
    expect(delayMs).toBeLessThan(5_000);
    // The hostile owner never held more than its share of the slots.
    expect(held.length).toBe(PER_OWNER);
  });
});
