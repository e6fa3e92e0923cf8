import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withdrawalBody } from '../support/invoices.ts';
import { startPipeline, type Pipeline } from '../support/pipeline.ts';

let p: Pipeline;
beforeAll(async () => {
  p = await startPipeline({ workers: false, env: { MAX_BATCH_AMOUNT_MSAT: '100000000' } });
});
afterAll(async () => p.close());

describe('MAX_BATCH_AMOUNT_MSAT', () => {
  it('accepts items up to the batch total and refuses the rest, even when replayed', async () => {
    // Ten items of 30,000 sat against a 100,000 sat limit: exactly three fit.
    const items = Array.from({ length: 10 }, () => withdrawalBody('turinpay', 30_000_000n).body);
    const first = await p.call('POST', '/v1/batches', { id: 'limited-1', items });
    expect(first.status).toBe(202);
    expect(first.body.accepted).toBe(3);
    expect(first.body.rejected).toHaveLength(7);
    for (const r of first.body.rejected) {
      expect(r.error.code).toBe('invalid_request');
      expect(r.error.message).toContain('MAX_BATCH_AMOUNT_MSAT');
    }
    const summary = (await p.call('GET', '/v1/batches/limited-1')).body;
    expect(summary.total).toBe(3);
    expect(summary.amountMsatByStatus.queued).toBe('90000000');

    // Replaying the batch: the three are duplicates, the others still do not fit.
    const again = await p.call('POST', '/v1/batches', { id: 'limited-1', items });
    expect(again.body.accepted).toBe(0);
    expect(again.body.duplicates).toBe(3);
    expect(again.body.rejected).toHaveLength(7);

    // A small item still fits in what remains.
    const small = withdrawalBody('turinpay', 10_000_000n).body;
    const more = await p.call('POST', '/v1/batches', { id: 'limited-1', items: [small] });
    expect(more.body.accepted).toBe(1);
  });
});
