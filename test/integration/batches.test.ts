import { request } from 'node:http';
import { producer } from '../../src/callers.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BATCH_BODY_LIMIT } from '../../src/api/batch-routes.ts';
import type { Fault, FaultPlan } from '../../src/providers/sandbox/index.ts';
import { BatchTooLargeError, enqueueBatch } from '../../src/withdrawals/batches.ts';
import { withdrawalBody } from '../support/invoices.ts';
import { eventually, startPipeline, TEST_TOKEN, type Pipeline } from '../support/pipeline.ts';

/** Each invoice gets the fault registered for its payment hash. */
const planned = new Map<string, Fault>();
const plan: FaultPlan = { pick: (ctx) => planned.get(ctx.paymentHash) ?? 'none' };

let p: Pipeline;
beforeAll(async () => {
  p = await startPipeline({ sandbox: { faults: { aurpay: plan, turinpay: plan } } });
});
afterAll(async () => p.close());

const HEADER = 'id,provider,invoice,address,amountMsat,description';
const CSV = { 'content-type': 'text/csv' };
const NDJSON = { 'content-type': 'application/x-ndjson' };

function made(n: number, amountMsat = 25_000_000n) {
  return Array.from({ length: n }, (_, i) => withdrawalBody(i % 2 ? 'aurpay' : 'turinpay', amountMsat));
}

function bodies(n: number, amountMsat = 25_000_000n) {
  return made(n, amountMsat).map((m) => m.body);
}

function csvRow(b: { id: string; provider: string; invoice: string }, description = '') {
  return `${b.id},${b.provider},${b.invoice},,,${description}`;
}

/** The producer the pipeline's test token belongs to. */
const tester = producer('tester');

describe('POST /v1/batches', () => {
  it('accepts a JSON batch', async () => {
    const items = bodies(3);
    const res = await p.call('POST', '/v1/batches', { id: 'json-batch-1', items });
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ batchId: 'json-batch-1', accepted: 3, duplicates: 0, rejected: [] });
    expect((await p.call('GET', `/v1/withdrawals/${items[0]?.id}`)).body.batchId).toBe('json-batch-1');
  });

  it('accepts an NDJSON batch, its id from ?id=', async () => {
    const items = bodies(3);
    const body = `${items.map((b) => JSON.stringify({ ...b, metadata: { row: b.id } })).join('\n')}\n`;
    const res = await p.call('POST', '/v1/batches?id=nd-batch-1', body, NDJSON);
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ batchId: 'nd-batch-1', accepted: 3, duplicates: 0, rejected: [] });
    const rec = (await p.call('GET', `/v1/withdrawals/${items[2]?.id}`)).body;
    expect(rec).toMatchObject({ batchId: 'nd-batch-1', metadata: { row: items[2]?.id } });
  });

  it('accepts a CSV batch with a generated id, empty cells absent, quoted commas kept', async () => {
    const items = bodies(2);
    const [a, b] = items;
    if (!a || !b) throw new Error('two bodies');
    const res = await p.call('POST', '/v1/batches', `${HEADER}\r\n${csvRow(a, '"weekly, for May"')}\r\n${csvRow(b)}\r\n`, {
      'content-type': 'text/csv; charset=utf-8',
    });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ accepted: 2, duplicates: 0, rejected: [] });
    expect(res.body.batchId).toMatch(/^batch_/);
    const rec = (await p.call('GET', `/v1/withdrawals/${a.id}`)).body;
    expect(rec).toMatchObject({ description: 'weekly, for May', address: null, batchId: res.body.batchId });
    expect((await p.call('GET', `/v1/withdrawals/${b.id}`)).body.description).toBeNull();
  });

  it('accepts the valid rows of a mixed CSV and refuses each other row with its index, id and error', async () => {
    const [good1, good2, expired] = bodies(3);
    if (!good1 || !good2 || !expired) throw new Error('three bodies');
    const rows = [
      csvRow(good1),
      'bad-invoice,aurpay,lnbcrt1notaninvoice,,,',
      'bad-provider,paypal,lnbcrt1x,,,',
      'short-row,aurpay',
      '"broken"quote,aurpay,x,,,',
      csvRow(good2),
      `${good1.id}-again,${good1.provider},${good1.invoice},,,`,
    ];
    const res = await p.call('POST', '/v1/batches?id=mixed-1', `${HEADER}\n${rows.join('\n')}\n`, CSV);
    expect(res.status).toBe(202);
    expect(res.body.accepted).toBe(2);
    expect(res.body.rejected.map((r: { index: number; id: string | null; error: { code: string } }) => [r.index, r.id, r.error.code])).toEqual([
      [1, 'bad-invoice', 'invalid_invoice'],
      [2, 'bad-provider', 'invalid_request'],
      [3, 'short-row', 'invalid_request'],
      [4, null, 'invalid_request'],
      [6, `${good1.id}-again`, 'invoice_already_used'],
    ]);
    expect(res.body.rejected[2].error.message).toBe('line 5: 2 fields where the header has 6');
  });

  it('refuses an NDJSON line that is not JSON as invalid_request, not a 500, and accepts the rest', async () => {
    const [a, b] = bodies(2);
    const body = `${JSON.stringify(a)}\n{"id": "half-a-line",\n${JSON.stringify(b)}\n`;
    const res = await p.call('POST', '/v1/batches', body, NDJSON);
    expect(res.status).toBe(202);
    expect(res.body.accepted).toBe(2);
    expect(res.body.rejected).toEqual([
      { index: 1, id: null, error: expect.objectContaining({ code: 'invalid_request', message: expect.stringMatching(/^line 2: not valid JSON/) }) },
    ]);
  });

  it('accepts nothing twice when a batch is replayed', async () => {
    const items = bodies(4);
    const body = [HEADER, ...items.map((b) => csvRow(b)), 'bad,aurpay,nope,,,'].join('\n');
    const first = await p.call('POST', '/v1/batches?id=replay-1', body, CSV);
    expect(first.body).toMatchObject({ accepted: 4, duplicates: 0 });
    const again = await p.call('POST', '/v1/batches?id=replay-1', body, CSV);
    expect(again.status).toBe(202);
    expect(again.body).toMatchObject({ batchId: 'replay-1', accepted: 0, duplicates: 4 });
    expect(again.body.rejected).toHaveLength(1);
    const json = await p.call('POST', '/v1/batches', { id: 'replay-1', items });
    expect(json.body).toMatchObject({ accepted: 0, duplicates: 4, rejected: [] });
    expect((await p.call('GET', '/v1/batches/replay-1')).body.total).toBe(4);
  });

  it('refuses a CSV without a valid header, an empty body and a bad ?id= with 400, accepting nothing', async () => {
    const [a] = bodies(1);
    if (!a) throw new Error('one body');
    const noHeader = await p.call('POST', '/v1/batches?id=no-header', `${csvRow(a)}\n`, CSV);
    expect(noHeader.status).toBe(400);
    expect(noHeader.body.error).toMatchObject({ code: 'invalid_request', message: expect.stringMatching(/unknown column/) });
    expect((await p.call('GET', `/v1/withdrawals/${a.id}`)).status).toBe(404);
    expect((await p.call('GET', '/v1/batches/no-header')).status).toBe(404);
    expect((await p.call('POST', '/v1/batches', '\n', NDJSON)).status).toBe(400);
    expect((await p.call('POST', '/v1/batches?id=bad%20id', `${HEADER}\n${csvRow(a)}\n`, CSV)).status).toBe(400);
  });

  it('takes CSV only on the batches route', async () => {
    const res = await p.call('POST', '/v1/withdrawals', 'id,provider\nx,aurpay\n', CSV);
    expect(res.status).toBe(415);
  });

  it('needs the bearer token for streamed bodies too', async () => {
    const res = await p.call('POST', '/v1/batches', `${HEADER}\n`, { ...CSV, authorization: 'Bearer wrong-token-0000' });
    expect(res.status).toBe(401);
  });
});

describe('batch limits', () => {
  it('answers 413 to a streamed body declared larger than the limit, before reading it', async () => {
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const headers = { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'text/csv', 'content-length': String(BATCH_BODY_LIMIT + 1) };
      const req = request(`${p.baseUrl}/v1/batches?id=too-big`, { method: 'POST', headers }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => {
          req.destroy();
          resolve({ status: res.statusCode ?? 0, body });
        });
      });
      req.on('error', reject);
      req.write(`${HEADER}\n`);
    });
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body).error.code).toBe('invalid_request');
    expect((await p.call('GET', '/v1/batches/too-big')).status).toBe(404);
  });

  it('stops at the item limit, keeping the items before it in a sealed batch', async () => {
    const items = bodies(3);
    await expect(enqueueBatch(p.runtime.enqueueDeps, tester, 'limit-1', items, { maxItems: 2 })).rejects.toBeInstanceOf(BatchTooLargeError);
    const summary = await eventually(async () => {
      const s = (await p.call('GET', '/v1/batches/limit-1')).body;
      return s.done ? s : undefined;
    }, 20_000, 'batch limit-1 done');
    expect(summary).toMatchObject({ total: 2, byStatus: { succeeded: 2 } });
  });

  it('keeps a batch open when reading its items fails half-way', async () => {
    const items = bodies(2);
    async function* broken() {
      yield items[0];
      throw new Error('connection reset');
    }
    await expect(enqueueBatch(p.runtime.enqueueDeps, tester, 'cut-1', broken())).rejects.toThrow('connection reset');
    expect((await p.call('GET', '/v1/batches/cut-1')).body).toMatchObject({ total: 1, done: false });
    const replay = await enqueueBatch(p.runtime.enqueueDeps, tester, 'cut-1', items);
    expect(replay).toMatchObject({ accepted: 1, duplicates: 1 });
    await eventually(async () => ((await p.call('GET', '/v1/batches/cut-1')).body.done ? true : undefined), 20_000, 'batch cut-1 done');
  });
});

describe('GET /v1/batches/:id', () => {
  it('counts and sums a batch by status and says done once every item settled', async () => {
    const ok = made(4, 10_000_000n);
    const refused = made(2, 3_000_000n);
    const pending = made(1, 7_000_000n);
    for (const m of refused) planned.set(m.paymentHash, 'refuse');
    for (const m of pending) planned.set(m.paymentHash, 'pending_then_success');
    const items = [...ok, ...refused, ...pending].map((m) => m.body);
    const res = await p.call('POST', '/v1/batches', { id: 'settle-1', items });
    expect(res.body.accepted).toBe(7);
    const summary = await eventually(async () => {
      const s = (await p.call('GET', '/v1/batches/settle-1')).body;
      return s.done ? s : undefined;
    }, 30_000, 'batch settle-1 done');
    expect(summary).toEqual({
      batchId: 'settle-1',
      total: 7,
      byStatus: { succeeded: 5, failed: 2 },
      amountMsatByStatus: { succeeded: '47000000', failed: '6000000' },
      done: true,
    });
    expect((await p.call('GET', '/v1/batches/nope')).status).toBe(404);
  });
});
