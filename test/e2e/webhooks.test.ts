import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isTerminal, type Status } from '../../src/withdrawals/status.ts';
import { withdrawalBody } from '../support/invoices.ts';
import { eventually, startPipeline, type Pipeline } from '../support/pipeline.ts';

interface Receipt {
  id: string;
  body: string;
  event: { id: string; type: string; timestamp: string; data: { id?: string; batchId?: string; status?: string; done?: boolean; total?: number } };
}

/**
 * A webhook consumer on loopback that checks every delivery with the `standardwebhooks` package.
 * It answers 500 to the first `failFirst` deliveries after recording them (so the retries are
 * duplicates), and can go down and come back on the same port.
 */
class Receiver {
  readonly receipts: Receipt[] = [];
  badSignatures = 0;
  failFirst = 0;
  private server: Server;
  private verifier: Webhook | undefined;
  port = 0;

  constructor() {
    this.server = this.create();
  }

  private create(): Server {
    return createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const headers: Record<string, string> = {};
        for (const h of ['webhook-id', 'webhook-timestamp', 'webhook-signature']) headers[h] = String(req.headers[h] ?? '');
        try {
          this.verifier?.verify(body, headers);
        } catch {
          this.badSignatures++;
          res.writeHead(400).end();
          return;
        }
        this.receipts.push({ id: headers['webhook-id'] ?? '', body, event: JSON.parse(body) });
        if (this.failFirst > 0) {
          this.failFirst--;
          res.writeHead(500).end('not now');
          return;
        }
        res.writeHead(204).end();
      });
    });
  }

  async start(port = 0): Promise<void> {
    this.server = this.create();
    await new Promise<void>((resolve) => this.server.listen(port, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  useSecret(secret: string): void {
    this.verifier = new Webhook(secret);
  }

  async stop(): Promise<void> {
    const closed = new Promise((resolve) => this.server.close(resolve));
    this.server.closeAllConnections();
    await closed;
  }

  count(id: string): number {
    return this.receipts.filter((r) => r.id === id).length;
  }
}

let p: Pipeline;
const receiver = new Receiver();
let endpointId = '';

beforeAll(async () => {
  // The receiver listens on loopback, which the URL policy refuses unless allowed.
  p = await startPipeline({ env: { WEBHOOK_BACKOFF_MS: '50', WEBHOOK_ATTEMPTS: '12', WEBHOOK_TIMEOUT_MS: '2000', WEBHOOK_ALLOW_PRIVATE: 'true' } });
  await receiver.start();
});
afterAll(async () => {
  await p.close();
  await receiver.stop();
});

async function allEvents(): Promise<Receipt['event'][]> {
  const events: Receipt['event'][] = [];
  let after = '';
  for (;;) {
    const res = await p.call('GET', `/v1/events?limit=7${after ? `&after=${after}` : ''}`);
    expect(res.status).toBe(200);
    if (res.body.events.length === 0) return events;
    events.push(...res.body.events);
    after = res.body.next;
  }
}

describe('signed webhooks for a batch of payouts', () => {
  let batchId = '';
  let items: { id: string }[] = [];
  /** Every event of the stream once the run below is over. */
  let events: Receipt['event'][] = [];

  // The run every test here looks at: an endpoint, a batch of 8 through 500s, a payout during an
  // outage of the receiver, until every event was delivered.
  beforeAll(async () => {
    const reg = await p.call('POST', '/v1/webhooks', { url: `http://127.0.0.1:${receiver.port}/hooks` });
    expect(reg.status).toBe(201);
    endpointId = reg.body.id;
    receiver.useSecret(reg.body.secret);
    receiver.failFirst = 6;
    const batchItems = [...Array.from({ length: 4 }, () => withdrawalBody('aurpay').body), ...Array.from({ length: 4 }, () => withdrawalBody('turinpay').body)];
    const batch = await p.call('POST', '/v1/batches', { items: batchItems });
    expect(batch.status).toBe(202);
    expect(batch.body.accepted).toBe(8);
    batchId = batch.body.batchId;
    items = [...batchItems];
    await eventually(async () => (receiver.receipts.length >= 10 ? true : undefined), 20_000, 'first deliveries');
    await receiver.stop();
    // A payout during the outage: its deliveries meet a closed port and are retried.
    const during = withdrawalBody('turinpay').body;
    expect((await p.call('POST', '/v1/withdrawals', during)).status).toBe(202);
    items.push(during);
    const failedSoFar = 6;
    await eventually(async () => (p.runtime.webhooks.stats.snapshot().retried > failedSoFar ? true : undefined), 10_000, 'a refused delivery');
    await new Promise((r) => setTimeout(r, 300));
    await receiver.start(receiver.port);
    await eventually(async () => (receiver.receipts.some((r) => r.event.type === 'batch.done') ? true : undefined), 30_000, 'batch.done');
    await eventually(async () => (isTerminal((await p.call('GET', `/v1/withdrawals/${during.id}`)).body.status) ? true : undefined), 30_000, 'the last payout');
    events = await allEvents();
    await eventually(async () => (events.every((e) => receiver.count(e.id) > 0) ? true : undefined), 30_000, 'every event delivered');
  }, 120_000);

  it('delivers every event at least once, through 500s and an outage, in order per withdrawal', () => {
    expect(receiver.badSignatures).toBe(0);
    // Nothing lost, nothing invented; retries after a 500 are duplicates with the same id and body.
    const uniqueIds = [...new Set(receiver.receipts.map((r) => r.id))];
    expect(uniqueIds.sort()).toEqual(events.map((e) => e.id).sort());
    expect(receiver.receipts.length).toBeGreaterThan(uniqueIds.length);
    for (const r of receiver.receipts) {
      expect(r.event.id).toBe(r.id);
      expect(r.body).toBe(receiver.receipts.find((x) => x.id === r.id)?.body);
    }
    // Per withdrawal, events arrive (first time) in the order they happened.
    for (const item of items) {
      const arrived = [...new Set(receiver.receipts.filter((r) => r.event.data.id === item.id).map((r) => r.id))];
      const happened = events.filter((e) => e.data.id === item.id).map((e) => e.id);
      expect(arrived).toEqual(happened);
      expect(happened.length).toBeGreaterThanOrEqual(3);
    }
    const done = receiver.receipts.find((r) => r.event.type === 'batch.done');
    expect(done?.event.data).toMatchObject({ batchId, total: 8, done: true });
  });

  it('lets the event stream alone tell the final state of each payout', async () => {
    const last = new Map<string, string>();
    for (const e of events) if (e.type.startsWith('withdrawal.') && e.data.id) last.set(e.data.id, e.type.slice('withdrawal.'.length));
    expect(last.size).toBe(9);
    for (const [id, status] of last) {
      expect(isTerminal(status as Status)).toBe(true);
      expect((await p.call('GET', `/v1/withdrawals/${id}`)).body.status).toBe(status);
    }
  });

  it('replays one event, and a range, with the same webhook-ids', async () => {
    const events = await allEvents();
    const succeeded = events.find((e) => e.type === 'withdrawal.succeeded');
    if (!succeeded) throw new Error('no succeeded event');
    const before = receiver.count(succeeded.id);
    const one = await p.call('POST', `/v1/webhooks/${endpointId}/replay`, { eventId: succeeded.id });
    expect(one.status).toBe(202);
    expect(one.body).toMatchObject({ endpointId, replayed: 1, next: null });
    await eventually(async () => (receiver.count(succeeded.id) === before + 1 ? true : undefined), 10_000, 'replayed event');

    const [from, , , to] = events;
    if (!from || !to) throw new Error('too few events');
    const range = events.filter((e) => e.id > from.id && e.id <= to.id);
    const counts = range.map((e) => receiver.count(e.id));
    const fromCount = receiver.count(from.id);
    const res = await p.call('POST', `/v1/webhooks/${endpointId}/replay`, { after: from.id, until: to.id });
    expect(res.status).toBe(202);
    expect(res.body.replayed).toBe(3);
    await eventually(async () => (range.every((e, i) => receiver.count(e.id) === (counts[i] ?? 0) + 1) ? true : undefined), 10_000, 'replayed range');
    expect(receiver.count(from.id)).toBe(fromCount);
    expect(receiver.badSignatures).toBe(0);
  });

  it('shows the webhooks queue with the others, and counts deliveries', async () => {
    expect(p.runtime.queues.all().map((q) => q.name)).toContain('webhooks');
    const stats = p.runtime.webhooks.stats.snapshot();
    expect(stats.delivered).toBeGreaterThan(0);
    expect(stats.retried).toBeGreaterThan(0);
    expect(stats.dead_lettered).toBe(0);
    const metrics = await (await fetch(`${p.baseUrl}/metrics`)).text();
    const delivered = /^withdrawals_webhook_deliveries_total\{outcome="delivered"\} (\d+)$/m.exec(metrics);
    expect(Number(delivered?.[1])).toBeGreaterThanOrEqual(stats.delivered);
  });

  it('refuses an endpoint URL that carries credentials', async () => {
    const res = await p.call('POST', '/v1/webhooks', { url: `http://u:p@127.0.0.1:${receiver.port}/hooks` });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_request');
  });
});
