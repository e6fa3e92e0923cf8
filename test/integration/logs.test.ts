import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Fault, FaultPlan } from '../../src/providers/sandbox/index.ts';
import { isTerminal, type Status } from '../../src/withdrawals/status.ts';
import { withdrawalBody } from '../support/invoices.ts';
import { eventually, startPipeline, TEST_TOKEN, type Pipeline } from '../support/pipeline.ts';

const AURPAY_KEY = 'aurpay-key-LOGTEST-1111';
const AURPAY_SECRET = 'aurpay-secret-LOGTEST-2222';
const TURINPAY_KEY = 'turinpay-key-LOGTEST-3333';
const DASHBOARD_USER = 'ops-LOGTEST';
const DASHBOARD_PASSWORD = 'dash-pass-LOGTEST-5555';

/** Every form a secret could take on its way into a log line. */
const FORBIDDEN: Record<string, string[]> = {
  'Aurpay API key': [AURPAY_KEY],
  'Aurpay API secret': [AURPAY_SECRET],
  'TurinPay API key': [TURINPAY_KEY],
  'bearer token': [TEST_TOKEN],
  'dashboard password': [DASHBOARD_PASSWORD, Buffer.from(`${DASHBOARD_USER}:${DASHBOARD_PASSWORD}`).toString('base64')],
};

const planned = new Map<string, Fault>();
const plan: FaultPlan = { pick: (ctx) => planned.get(ctx.paymentHash) ?? 'none' };
const FAULTS: Fault[] = ['none', 'pending_then_success', 'refuse', 'error_after_payment', 'malformed_body', 'rate_limit', 'hang_after_payment'];

let p: Pipeline;
beforeAll(async () => {
  p = await startPipeline({
    sandbox: {
      // The sandbox's API-Key is one the client does not have: only signed requests get through,
      // so every Aurpay call below proves signature authentication was used.
      aurpay: { apiKey: 'not-the-clients-key', apiToken: AURPAY_KEY, apiSecret: AURPAY_SECRET },
      turinpay: { apiKey: TURINPAY_KEY },
      faults: { aurpay: plan, turinpay: plan },
    },
    env: {
      AURPAY_API_KEY: AURPAY_KEY,
      AURPAY_API_SECRET: AURPAY_SECRET,
      TURINPAY_API_KEY: TURINPAY_KEY,
      DASHBOARD_USER,
      DASHBOARD_PASSWORD,
      LOG_LEVEL: 'trace',
    },
  });
});
afterAll(async () => p.close());

async function settle(ids: string[]): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const id of ids) {
    out[id] = await eventually(async () => {
      const s = (await p.call('GET', `/v1/withdrawals/${id}`)).body.status as Status;
      return isTerminal(s) ? s : undefined;
    }, 20_000, `${id} to settle`);
  }
  return out;
}

describe('logs of a full pipeline at LOG_LEVEL=trace', () => {
  let lines: Record<string, unknown>[] = [];
  let batchId = '';

  beforeAll(async () => {
    const ids: string[] = [];
    for (const provider of ['aurpay', 'turinpay'] as const) {
      for (const fault of FAULTS) {
        const { body, paymentHash } = withdrawalBody(provider, 25_000_000n, { description: `log test ${fault}` });
        planned.set(paymentHash, fault);
        expect((await p.call('POST', '/v1/withdrawals', body)).status).toBe(202);
        ids.push(body.id);
      }
    }
    const items = [withdrawalBody('aurpay').body, withdrawalBody('turinpay').body];
    const batch = await p.call('POST', '/v1/batches', { items });
    expect(batch.status).toBe(202);
    batchId = batch.body.batchId;
    ids.push(...items.map((i) => i.id));

    // TurinPay refuses our credentials once: the queue pauses and the reason is logged; then it recovers.
    const refused = withdrawalBody('turinpay');
    planned.set(refused.paymentHash, 'auth_error');
    expect((await p.call('POST', '/v1/withdrawals', refused.body)).status).toBe(202);
    await eventually(async () => ((await p.runtime.queues.submitQueue('turinpay').isPaused()) ? true : undefined), 10_000, 'turinpay paused');
    planned.set(refused.paymentHash, 'none');
    p.sandbox.setFaults('turinpay', plan); // forgets the fault decided for that invoice
    await p.runtime.queues.submitQueue('turinpay').resume();
    ids.push(refused.body.id);

    // Refused and accepted credentials on every surface that takes them.
    expect((await p.call('GET', '/v1/withdrawals/x', undefined, { authorization: 'Bearer not-a-token-at-all' })).status).toBe(401);
    const basic = (pw: string) => ({ authorization: `Basic ${Buffer.from(`${DASHBOARD_USER}:${pw}`).toString('base64')}` });
    expect((await fetch(`${p.baseUrl}/admin/withdrawals`, { headers: basic('wrong-password') })).status).toBe(401);
    expect((await fetch(`${p.baseUrl}/admin/withdrawals`, { headers: basic(DASHBOARD_PASSWORD) })).status).toBe(200);
    expect((await fetch(`${p.baseUrl}/admin/queues/api/queues`, { headers: basic(DASHBOARD_PASSWORD) })).status).toBe(200);
    expect((await fetch(`${p.baseUrl}/metrics`)).status).toBe(200);

    const statuses = await settle(ids);
    expect(Object.values(statuses).filter((s) => s === 'succeeded').length).toBeGreaterThanOrEqual(ids.length - 2);
    lines = p.logLines.map((l) => JSON.parse(l) as Record<string, unknown>);
  });

  it('were written, debug lines included', () => {
    expect(lines.length).toBeGreaterThan(50);
    expect(lines.some((l) => l.level === 20)).toBe(true);
    if (process.env.LOGTEST_DUMP) console.log(p.logLines.join(''));
  });

  it('include the credential refusal, with its reason', () => {
    expect(lines.some((l) => l.msg === 'provider refused our credentials: pausing its submit queue' && l.provider === 'turinpay')).toBe(true);
  });

  it('contain no API key, secret, bearer token or dashboard password, in any form', () => {
    for (const [what, values] of Object.entries(FORBIDDEN)) {
      for (const value of values) {
        const leaks = p.logLines.filter((l) => l.includes(value));
        expect(leaks, `${what} in ${leaks.length} log line(s): ${leaks[0] ?? ''}`).toEqual([]);
      }
    }
  });

  it('carry withdrawalId, provider and batchId on the lines about one withdrawal', () => {
    const finished = lines.filter((l) => l.msg === 'submit finished');
    expect(finished.length).toBeGreaterThanOrEqual(FAULTS.length * 2);
    for (const l of finished) {
      expect(typeof l.withdrawalId).toBe('string');
      expect(['aurpay', 'turinpay']).toContain(l.provider);
      expect('batchId' in l).toBe(true);
    }
    expect(finished.filter((l) => l.batchId === batchId)).toHaveLength(2);
  });
});
