import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { payeeInvoice } from '../../src/demo/payee.ts';
import type { HistoryEntry } from '../../src/withdrawals/types.ts';
import { callApi } from '../support/http.ts';
import { withdrawalBody } from '../support/invoices.ts';
import { eventually, OPERATOR_TOKEN, startPipeline, TEST_TOKEN, type Pipeline } from '../support/pipeline.ts';

/** Three operators (`ops`, `ana`, `ben`); two must approve anything of at least 50,000 sat, and every on-chain withdrawal. */
const ANA = 'ana-operator-token-1';
const BEN = 'ben-operator-token-1';
const THRESHOLD = 50_000_000n;
const ADDRESS = 'bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080';

let p: Pipeline;
const ana = (method: string, path: string, body?: unknown) => callApi(p.baseUrl, ANA, method, path, body);
const ben = (method: string, path: string, body?: unknown) => callApi(p.baseUrl, BEN, method, path, body);
const get = async (id: string) => (await p.operator('GET', `/v1/withdrawals/${id}`)).body;

beforeAll(async () => {
  p = await startPipeline({
    env: {
      API_TOKENS: `tester=${TEST_TOKEN}`,
      OPERATOR_TOKENS: `ops=${OPERATOR_TOKEN},ana=${ANA},ben=${BEN}`,
      APPROVAL_THRESHOLD_MSAT: String(THRESHOLD),
      APPROVALS_REQUIRED: '2',
      ALLOW_ONCHAIN: 'true',
      INVOICE_EXPIRY_MARGIN_S: '1',
      DASHBOARD_USER: 'ops',
      DASHBOARD_PASSWORD: 'dashboard-secret-1',
    },
  });
});
afterAll(async () => p.close());

async function held(amountMsat = THRESHOLD) {
  const { body, paymentHash } = withdrawalBody('turinpay', amountMsat);
  const res = await p.call('POST', '/v1/withdrawals', body);
  expect(res.status).toBe(202);
  return { id: body.id, paymentHash, record: res.body };
}

async function until(id: string, status: string) {
  return eventually(async () => {
    const rec = await get(id);
    return rec.status === status ? rec : undefined;
  }, 20_000, `${id} to be ${status}`);
}

describe('withdrawals held for approval', () => {
  it('pays one below the threshold at once', async () => {
    const { body } = withdrawalBody('turinpay', THRESHOLD - 1n);
    expect((await p.call('POST', '/v1/withdrawals', body)).body.status).toBe('queued');
    await until(body.id, 'succeeded');
  });

  it('holds one at the threshold until two distinct operators approved it, then pays it once', async () => {
    const { id, paymentHash, record } = await held();
    expect(record.status).toBe('awaiting_approval');
    await new Promise((r) => setTimeout(r, 700));
    expect((await get(id)).status).toBe('awaiting_approval');
    expect(p.sandbox.ledger.paymentsFor(paymentHash)).toHaveLength(0);

    const first = await ana('POST', `/v1/withdrawals/${id}/approve`, { note: 'checked the payee' });
    expect(first.status).toBe(200);
    expect(first.body.status).toBe('awaiting_approval');
    expect(first.body.history.at(-1)).toMatchObject({ status: 'awaiting_approval', actor: 'ana', note: 'checked the payee', cause: 'approved (1 of 2)' });
    const twice = await ana('POST', `/v1/withdrawals/${id}/approve`, {});
    expect(twice.status).toBe(409);
    expect(twice.body.error.code).toBe('invalid_state');

    const last = await ben('POST', `/v1/withdrawals/${id}/approve`, { note: 'ok' });
    expect(last.status).toBe(200);
    expect(last.body.history.at(-1)).toMatchObject({ status: 'queued', actor: 'ben', cause: 'approved (2 of 2)' });
    await until(id, 'succeeded');
    expect(p.sandbox.ledger.paymentsFor(paymentHash)).toHaveLength(1);

    const types = await eventually(async () => {
      const page = (await p.call('GET', '/v1/events?limit=1000')).body;
      const mine = page.events.filter((e: { data: { id: string } }) => e.data.id === id).map((e: { type: string }) => e.type);
      return mine.includes('withdrawal.succeeded') ? mine : undefined;
    });
    expect(types.slice(0, 3)).toEqual(['withdrawal.awaiting_approval', 'withdrawal.awaiting_approval', 'withdrawal.queued']);
  });

  it('refuses producers (403) and does not count the approval of the operator who created it', async () => {
    const { id } = await held();
    expect((await p.call('POST', `/v1/withdrawals/${id}/approve`, {})).status).toBe(403);

    const made = await ana('POST', '/v1/withdrawals', withdrawalBody('aurpay', THRESHOLD).body);
    expect(made.body.status).toBe('awaiting_approval');
    const own = await ana('POST', `/v1/withdrawals/${made.body.id}/approve`, {});
    expect(own.status).toBe(409);
    expect(own.body.error.message).toMatch(/another operator/);
    expect(await p.runtime.store.approvers(made.body.id)).toEqual([]);
  });

  it('holds every on-chain withdrawal, whatever its amount', async () => {
    const res = await p.operator('POST', '/v1/withdrawals', { id: `onchain-held-${Date.now()}`, provider: 'turinpay', address: ADDRESS });
    expect(res.status).toBe(202);
    expect(res.body.status).toBe('awaiting_approval');
  });

  it('counts 20 concurrent approvals by the same operator once', async () => {
    const { id } = await held();
    const answers = await Promise.all(Array.from({ length: 20 }, () => ana('POST', `/v1/withdrawals/${id}/approve`, {})));
    expect(answers.filter((a) => a.status === 200)).toHaveLength(1);
    expect(answers.filter((a) => a.status === 409)).toHaveLength(19);
    expect(await p.runtime.store.approvers(id)).toEqual(['ana']);
    const rec = await get(id);
    expect(rec.status).toBe('awaiting_approval');
    expect(rec.history.filter((h: HistoryEntry) => h.actor === 'ana')).toHaveLength(1);
  });

  it('lets the last approval racing a cancel end in exactly one of them: paid, or cancelled and never paid', async () => {
    for (let round = 0; round < 6; round++) {
      const { id, paymentHash } = await held();
      await ana('POST', `/v1/withdrawals/${id}/approve`, {});
      const [approve, cancel] = await Promise.all([ben('POST', `/v1/withdrawals/${id}/approve`, {}), p.call('POST', `/v1/withdrawals/${id}/cancel`, {})]);
      // A cancel that reads the withdrawal after the approval queued it may still cancel it (before any
      // submit); what never happens is neither, or a cancelled withdrawal that is paid.
      expect(approve.status === 200 || cancel.status === 200).toBe(true);
      if (cancel.status === 200) {
        expect((await get(id)).status).toBe('cancelled');
        await new Promise((r) => setTimeout(r, 300));
        expect(p.sandbox.ledger.paymentsFor(paymentHash)).toHaveLength(0);
      } else {
        expect(approve.status).toBe(200);
        await until(id, 'succeeded');
        expect(p.sandbox.ledger.paymentsFor(paymentHash)).toHaveLength(1);
      }
    }
  });

  it('cancels one whose invoice would expire before approval (approval_expired), without anyone asking', async () => {
    const { invoice } = payeeInvoice({ network: 'regtest', amountMsat: THRESHOLD, expirySeconds: 3 });
    const id = `expiring-${Date.now()}`;
    expect((await p.call('POST', '/v1/withdrawals', { id, provider: 'aurpay', invoice })).body.status).toBe('awaiting_approval');
    const rec = await until(id, 'cancelled');
    expect(rec.failure.code).toBe('approval_expired');
    const late = await ana('POST', `/v1/withdrawals/${id}/approve`, {});
    expect(late.status).toBe(409);
  });

  it('/admin/withdrawals lists the withdrawals awaiting approval first, with who approved so far', async () => {
    const { id } = await held();
    await ana('POST', `/v1/withdrawals/${id}/approve`, {});
    const page = await fetch(`${p.baseUrl}/admin/withdrawals`, { headers: { authorization: `Basic ${Buffer.from('ops:dashboard-secret-1').toString('base64')}` } });
    expect(page.status).toBe(200);
    const html = await page.text();
    const sections = [...html.matchAll(/<h2 id="([a-z_]+)">/g)].map((m) => m[1]);
    expect(sections[0]).toBe('awaiting_approval');
    const section = html.slice(html.indexOf('<h2 id="awaiting_approval">'), html.indexOf('<h2', html.indexOf('<h2 id="awaiting_approval">') + 1));
    expect(section).toContain('<th>approved by</th>');
    const row = section.slice(section.indexOf(id));
    expect(row.slice(0, row.indexOf('</tr>'))).toContain('<td class="approved-by">ana</td>');
  });

  it('lets the owner cancel one awaiting approval', async () => {
    const { id } = await held();
    const res = await p.call('POST', `/v1/withdrawals/${id}/cancel`, { note: 'no longer owed' });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('cancelled');
  });
});
