import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createResolveStep } from '../../src/lnurl/submit-step.ts';
import { createLogger } from '../../src/logger.ts';
import { createOutboundAgent } from '../../src/net/outbound.ts';
import { eventually, startPipeline, type Pipeline } from '../support/pipeline.ts';

/**
 * A worker that stored a Lightning Address's invoice and died before paying it: the next worker pays
 * the stored invoice, and the server is never asked again.
 */

let p: Pipeline;
beforeAll(async () => {
  p = await startPipeline({ workers: false, env: { LNURL_ALLOW_PRIVATE: 'true', LNURL_TIMEOUT_MS: '1000' } });
});
afterAll(async () => p.close());

describe('a worker lost between resolving and paying', () => {
  it('leaves the stored invoice to be paid once by the next worker, the callback called once', async () => {
    const address = p.sandbox.lnurl.address('erin');
    const created = await p.call('POST', '/v1/withdrawals', { id: 'la-crash', provider: 'turinpay', lightningAddress: address, amountMsat: '42000' });
    expect(created.status).toBe(202);
    // What the first worker did before it died: the resolution, stored; no provider call.
    const agent = createOutboundAgent({ timeoutMs: 1000, connections: 1, allowPrivate: true });
    const step = createResolveStep({
      store: p.runtime.store,
      settings: { dispatcher: agent, timeoutMs: 1000, deadlineMs: 0, allowPrivate: true, network: 'regtest', expiryMarginSeconds: 60 },
      reconcileGraceMs: 3_600_000,
      logger: createLogger('silent'),
    });
    const rec = await p.runtime.store.read('la-crash');
    if (!rec) throw new Error('no record');
    const resolved = await step(rec, { provider: rec.provider, batchId: rec.batchId });
    await agent.close();
    expect(resolved.kind).toBe('ready');
    const stored = await p.runtime.store.get('la-crash');
    expect(stored).toMatchObject({ status: 'queued', attempts: 0 });
    expect(stored?.invoice).toBe(p.sandbox.lnurl.invoices('erin')[0]);

    // The next worker.
    await p.runtime.startWorkers();
    const done = await eventually(async () => {
      const r = (await p.call('GET', '/v1/withdrawals/la-crash')).body;
      return r.status === 'succeeded' ? r : undefined;
    });
    expect(done.invoice).toBe(stored?.invoice);
    expect(p.sandbox.lnurl.requests('erin')).toEqual({ payRequests: 1, callbacks: 1 });
    expect(p.sandbox.ledger.paymentsFor(done.paymentHash)).toHaveLength(1);
  });
});
