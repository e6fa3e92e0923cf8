import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { regtestAddress } from '../support/addresses.ts';
import { OPERATOR_TOKEN, startPipeline, type Pipeline } from '../support/pipeline.ts';

/**
 * A large CSV streamed to POST /v1/batches. The rows are on-chain withdrawals: the address check is
 * cheap, where each invoice costs a signature recovery (~4 ms), so the file can be large and the test
 * quick (on-chain withdrawals are operators': the operator sends it; one open withdrawal per address,
 * so each row has its own). No workers: this is about
 * reading and enqueueing.
 */
let p: Pipeline;
beforeAll(async () => {
  p = await startPipeline({ workers: false, env: { ALLOW_ONCHAIN: 'true' } });
});
afterAll(async () => p.close());

const ROWS = 20_000;

/** The CSV, made as it is sent: neither side holds the whole file. */
function csvStream(rows: number): ReadableStream<Uint8Array> {
  const enc = new TextEncoder();
  let i = 0;
  return new ReadableStream({
    pull(controller) {
      if (i === 0) controller.enqueue(enc.encode('id,provider,invoice,address,amountMsat,description\n'));
      const lines: string[] = [];
      for (const end = Math.min(i + 500, rows); i < end; i++) {
        lines.push(i === 1234 ? 'broken-row,turinpay' : `big-${i},turinpay,,${regtestAddress(i)},,"row ${i}, of ${rows}"`);
      }
      controller.enqueue(enc.encode(`${lines.join('\n')}\n`));
      if (i >= rows) controller.close();
    },
  });
}

describe('a large CSV batch', () => {
  it(`streams ${ROWS} rows into one batch`, async () => {
    const started = Date.now();
    const res = await fetch(`${p.baseUrl}/v1/batches?id=big-1`, {
      method: 'POST',
      headers: { authorization: `Bearer ${OPERATOR_TOKEN}`, 'content-type': 'text/csv' },
      body: csvStream(ROWS),
      duplex: 'half',
    });
    const body = (await res.json()) as { accepted: number; duplicates: number; rejected: unknown[] };
    const seconds = (Date.now() - started) / 1000;
    expect(res.status).toBe(202);
    expect(body.accepted).toBe(ROWS - 1);
    expect(body.duplicates).toBe(0);
    expect(body.rejected).toEqual([
      { index: 1234, id: 'broken-row', error: expect.objectContaining({ code: 'invalid_request', message: 'line 1236: 2 fields where the header has 6' }) },
    ]);
    const summary = (await p.operator('GET', '/v1/batches/big-1')).body;
    // On-chain withdrawals wait for an operator's approval: none has a submit job yet.
    expect(summary).toMatchObject({ total: ROWS - 1, byStatus: { awaiting_approval: ROWS - 1 }, done: false });
    expect(await p.runtime.queues.submitQueue('turinpay').getWaitingCount()).toBe(0);
    console.log(`${ROWS} CSV rows streamed and enqueued in ${seconds.toFixed(1)} s (${Math.round(ROWS / seconds)} rows/s)`);
  });
});
