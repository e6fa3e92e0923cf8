import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkBasic, parseBasic } from '../../src/api/dashboard/basic-auth.ts';
import { visibleJobData } from '../../src/api/dashboard/bull-board.ts';
import type { Status } from '../../src/withdrawals/status.ts';
import type { RecordChange } from '../../src/withdrawals/record-codec.ts';
import { submitJobId } from '../../src/queues/names.ts';
import { withdrawalBody } from '../support/invoices.ts';
import { longId } from '../support/long-id.ts';
import { startPipeline, type Pipeline } from '../support/pipeline.ts';

const USER = 'ops';
const PASSWORD = 'correct horse: battery staple';
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const EVIL = `<script>alert("pwned")</script><img src=x onerror='alert(1)'> & co`;

let p: Pipeline;
const ids = { queued: '', unknown: '', review: '', succeeded: '', failed: '' };
/** Queued, like ids.queued: the longest id there is, with every punctuation character ids allow. */
const LONG_ID = longId();

async function admin(path: string, auth: string | null = basic(USER, PASSWORD)) {
  const res = await fetch(`${p.baseUrl}${path}`, { headers: auth ? { authorization: auth } : {} });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

async function accept(provider: 'aurpay' | 'turinpay', over: Record<string, unknown> = {}): Promise<string> {
  const { body } = withdrawalBody(provider, 25_000_000n, over);
  expect((await p.call('POST', '/v1/withdrawals', body)).status).toBe(202);
  return body.id;
}

/** Walks a record along the state machine through the store (no workers run in this file). */
async function drive(id: string, steps: [Status, Status, RecordChange?][]) {
  for (const [from, to, change] of steps) {
    const fence = from === 'queued' ? 'f' : undefined;
    const res = await p.runtime.store.transition(id, {
      from,
      to,
      newFence: fence,
      change,
      cause: `test: ${to}`,
    });
    expect(res.ok, `${id} ${from} -> ${to}`).toBe(true);
  }
}

beforeAll(async () => {
  p = await startPipeline({ workers: false, env: { DASHBOARD_USER: USER, DASHBOARD_PASSWORD: PASSWORD } });
  ids.succeeded = await accept('turinpay', { description: 'paid already' });
  await drive(ids.succeeded, [['queued', 'submitting'], ['submitting', 'succeeded']]);
  ids.failed = await accept('aurpay');
  const refused = { code: 'provider_rejected', message: 'insufficient balance', provider: { msg: 'no funds' } };
  await drive(ids.failed, [['queued', 'submitting'], ['submitting', 'failed', { failure: refused }]]);
  ids.queued = await accept('aurpay', { description: EVIL, metadata: { note: '</td><b>x</b>' } });
  ids.review = await accept('aurpay');
  const evidence = { code: 'reconciliation_exhausted', message: 'no definitive status', provider: { status: '<i>PENDING</i>' } };
  await drive(ids.review, [['queued', 'submitting'], ['submitting', 'unknown'], ['unknown', 'needs_review', { failure: evidence }]]);
  expect(await accept('aurpay', { id: LONG_ID })).toBe(LONG_ID);
  ids.unknown = await accept('turinpay');
  await drive(ids.unknown, [['queued', 'submitting'], ['submitting', 'unknown', { failure: { code: 'outcome_unknown', message: 'timeout' } }]]);
});
afterAll(async () => p.close());

describe('admin basic auth', () => {
  it('answers 401 with a Basic challenge without or with wrong credentials', async () => {
    for (const auth of [null, basic(USER, 'wrong'), basic('root', PASSWORD), 'Bearer test-token-00001', 'Basic !!!']) {
      for (const path of ['/admin/queues', '/admin/queues/api/queues', '/admin/withdrawals', `/admin/withdrawals/${ids.queued}`]) {
        const res = await admin(path, auth);
        expect(res.status, `${path} with ${auth}`).toBe(401);
        expect(res.headers.get('www-authenticate')).toMatch(/^Basic realm="[^"]+"/);
        expect(res.text).not.toContain(ids.queued.slice(2));
      }
    }
  });

  it('parses and compares credentials exactly (a colon may be part of the password)', () => {
    expect(parseBasic(basic('a', 'b:c'))).toEqual({ user: 'a', password: 'b:c' });
    expect(parseBasic('Basic ' + Buffer.from('no-colon').toString('base64'))).toBeNull();
    expect(checkBasic(basic(USER, PASSWORD), { user: USER, password: PASSWORD })).toBe(true);
    expect(checkBasic(basic(USER, `${PASSWORD} `), { user: USER, password: PASSWORD })).toBe(false);
    expect(checkBasic(undefined, { user: USER, password: PASSWORD })).toBe(false);
  });
});

describe('/admin/withdrawals', () => {
  it('lists unknown and needs_review first, then the rest, with provider, amount and age', async () => {
    const res = await admin('/admin/withdrawals');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    const at = (s: string) => res.text.indexOf(s);
    for (const id of Object.values(ids)) expect(res.text).toContain(`href="/admin/withdrawals/${id}"`);
    expect(at('id="unknown"')).toBeLessThan(at('id="needs_review"'));
    expect(at('id="needs_review"')).toBeLessThan(at('id="queued"'));
    expect(at(ids.unknown)).toBeLessThan(at(ids.review));
    expect(at(ids.review)).toBeLessThan(at(ids.queued));
    expect(at(ids.queued)).toBeLessThan(at(ids.failed));
    expect(at(ids.failed)).toBeLessThan(at(ids.succeeded));
    expect(res.text).toMatch(/unknown: 1/);
    expect(res.text).toMatch(/needs_review: 1/);
    expect(res.text).toContain('25\u202f000 sat');
    expect(res.text).toMatch(/<td class="num">\d+ s<\/td>/);
    expect(res.text).toContain('<td>turinpay</td>');
  });

  it('escapes what producers wrote (no markup from a description gets through)', async () => {
    const res = await admin('/admin/withdrawals');
    expect(res.text).not.toContain('<script>');
    expect(res.text).not.toContain('<img');
    expect(res.text).toContain('&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt;&lt;img src=x onerror=&#39;alert(1)&#39;&gt; &amp; co');
  });

  it('filters by status and provider, and refuses a bad filter', async () => {
    const res = await admin('/admin/withdrawals?status=needs_review&provider=aurpay');
    expect(res.text).toContain(ids.review);
    expect(res.text).not.toContain(ids.unknown);
    expect(res.text).not.toContain('id="queued"');
    expect((await admin('/admin/withdrawals?status=lost')).status).toBe(400);
  });

  it('shows one withdrawal with its history and failure evidence, escaped', async () => {
    const review = await admin(`/admin/withdrawals/${ids.review}`);
    expect(review.status).toBe(200);
    expect(review.text).toContain('reconciliation_exhausted');
    expect(review.text).toContain('&lt;i&gt;PENDING&lt;/i&gt;');
    expect(review.text).toContain(`/v1/withdrawals/${ids.review}/resolve`);
    for (const s of ['queued', 'submitting', 'unknown', 'needs_review']) expect(review.text).toContain(`<td>${s}</td>`);
    expect(review.text).toContain('test: needs_review');

    const evil = await admin(`/admin/withdrawals/${ids.queued}`);
    expect(evil.text).not.toContain('<script>');
    expect(evil.text).not.toContain('</td><b>');
    expect(evil.text).toContain('&lt;/td&gt;&lt;b&gt;x&lt;/b&gt;');

    const failed = await admin(`/admin/withdrawals/${ids.failed}`);
    expect(failed.text).toContain('insufficient balance');
    expect(failed.text).toContain('no funds');
  });

  it('shows a withdrawal whose id is 128 characters of letters, digits, ".", "_", ":" and "-", linked from the list', async () => {
    const list = await admin('/admin/withdrawals?status=queued');
    const href = new RegExp(`href="(/admin/withdrawals/[^"]*)"><code>${LONG_ID.replace(/[.]/g, '\\.')}</code>`).exec(list.text)?.[1];
    expect(href).toBeDefined();
    for (const path of [href ?? '', `/admin/withdrawals/${LONG_ID}`]) {
      const res = await admin(path);
      expect(res.status, path).toBe(200);
      expect(res.text).toContain(`<h1>Withdrawal <code>${LONG_ID}</code>: queued</h1>`);
    }
  });

  it('answers 404 for an unknown id, without reflecting markup', async () => {
    const res = await admin(`/admin/withdrawals/${encodeURIComponent('<b>nope</b>')}`);
    expect(res.status).toBe(404);
    expect(res.text).toContain('&lt;b&gt;nope&lt;/b&gt;');
    expect(res.text).not.toContain('<b>nope');
  });
});

describe('/admin/queues (bull-board)', () => {
  it('lists every queue, each read-only, and refuses actions on the server side', async () => {
    const res = await admin('/admin/queues/api/queues?activeQueue=submit-aurpay&status=waiting&page=1&jobsPerPage=50');
    expect(res.status).toBe(200);
    const body = JSON.parse(res.text) as { queues: { name: string; readOnlyMode: boolean; jobs: { data: unknown }[] }[] };
    const byName = new Map(body.queues.map((q) => [q.name, q]));
    for (const q of p.runtime.queues.all()) expect(byName.has(q.name), q.name).toBe(true);
    for (const q of body.queues) expect(q.readOnlyMode, q.name).toBe(true);
    // The waiting aurpay job shows its withdrawal id and nothing else.
    const jobs = byName.get('submit-aurpay')?.jobs ?? [];
    expect(jobs.length).toBeGreaterThan(0);
    for (const j of jobs) expect(Object.keys(j.data as object)).toEqual(['id']);

    for (const [method, path] of [
      ['PUT', '/admin/queues/api/queues/submit-aurpay/pause'],
      ['PUT', '/admin/queues/api/queues/submit-turinpay/retry/failed'],
      ['POST', '/admin/queues/api/queues/submit-turinpay/add'],
    ] as const) {
      const r = await fetch(`${p.baseUrl}${path}`, {
        method,
        headers: { authorization: basic(USER, PASSWORD), ...(method === 'POST' ? { 'content-type': 'application/json' } : {}) },
        body: method === 'POST' ? JSON.stringify({ name: 'submit', data: { id: ids.queued } }) : undefined,
      });
      expect(r.status, `${method} ${path}`).toBe(405);
    }
    expect(await p.runtime.queues.submitQueue('aurpay').isPaused()).toBe(false);
  });

  it("shows the submit job of a withdrawal whose id is 128 characters long", async () => {
    const job = submitJobId(LONG_ID, 0);
    const res = await admin(`/admin/queues/api/queues/submit-aurpay/${encodeURIComponent(job)}`);
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text)).toMatchObject({ job: { id: job, data: { id: LONG_ID } } });
    // The job's own page of the dashboard (bull-board's single-page app) loads for it too.
    expect((await admin(`/admin/queues/queue/submit-aurpay/${encodeURIComponent(job)}`)).status).toBe(200);
  });

  it('shows job data without anything but the allowed fields', () => {
    expect(visibleJobData({ id: 'w1', apiKey: 'k', checks: 2 })).toEqual({ id: 'w1', checks: 2 });
    expect(visibleJobData('x')).toEqual({});
  });
});
