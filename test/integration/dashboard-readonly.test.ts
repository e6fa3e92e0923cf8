/**
 * Nothing under /admin changes state: every bull-board action (pause, resume, empty, clean, retry,
 * promote, remove, obliterate...) is refused before bull-board sees it, whatever the queue, and the
 * queues are left exactly as they were; a cross-site write is refused even by the guard alone.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sameOriginWritesHook } from '../../src/api/dashboard/read-only.ts';
import { withdrawalBody } from '../support/invoices.ts';
import { startPipeline, type Pipeline } from '../support/pipeline.ts';

const USER = 'ops';
const PASSWORD = 'read-only-pass-41d7';
const AUTH = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;
const HOUR_MS = 3_600_000;

let p: Pipeline;
/** A job of each queue, by queue name: the target of the per-job actions. */
const jobOf = new Map<string, string>();

interface QueueState {
  paused: boolean;
  counts: Record<string, number>;
  jobIds: string[];
}

/** Everything a dashboard action could change: paused or not, the counts per state, which jobs exist. */
async function queueStates(): Promise<Record<string, QueueState>> {
  const entries = await Promise.all(
    p.runtime.queues.all().map(async (q) => {
      const jobs = await q.getJobs(['waiting', 'delayed', 'active', 'completed', 'failed', 'paused', 'prioritized']);
      const state: QueueState = { paused: await q.isPaused(), counts: await q.getJobCounts(), jobIds: jobs.map((j) => String(j.id)).sort() };
      return [q.name, state] as const;
    }),
  );
  return Object.fromEntries(entries);
}

/** Every bull-board route that acts (node_modules/@bull-board/api/dist/routes.js), for queue `q` and its job `j`. */
function actions(q: string, j: string): [string, string][] {
  const base = '/admin/queues/api/queues';
  return [
    ['PUT', `${base}/pause`],
    ['PUT', `${base}/resume`],
    ['PUT', `${base}/${q}/pause`],
    ['PUT', `${base}/${q}/resume`],
    ['PUT', `${base}/${q}/empty`],
    ['PUT', `${base}/${q}/clean/completed`],
    ['PUT', `${base}/${q}/clean/delayed`],
    ['PUT', `${base}/${q}/clean/wait`],
    ['PUT', `${base}/${q}/retry/failed`],
    ['PUT', `${base}/${q}/retry/completed`],
    ['PUT', `${base}/${q}/promote`],
    ['PUT', `${base}/${q}/obliterate`],
    ['PUT', `${base}/${q}/concurrency`],
    ['PUT', `${base}/${q}/rate-limit`],
    ['PUT', `${base}/${q}/rate-limit/release`],
    ['POST', `${base}/${q}/add`],
    ['PUT', `${base}/${q}/${j}/retry`],
    ['PUT', `${base}/${q}/${j}/clean`],
    ['PUT', `${base}/${q}/${j}/promote`],
    ['PUT', `${base}/${q}/${j}/remove-unprocessed-children`],
    ['PATCH', `${base}/${q}/${j}/update-data`],
    ['PATCH', `${base}/${q}/${j}/delay`],
    ['PATCH', `${base}/${q}/${j}/priority`],
    ['DELETE', `${base}/${q}/${j}`],
  ];
}

/** A write as bull-board's page would send it, with the dashboard's credentials unless `auth` is false. */
async function send(method: string, path: string, headers: Record<string, string> = {}, auth = true) {
  const hasBody = method !== 'DELETE' && method !== 'OPTIONS';
  const res = await fetch(`${p.baseUrl}${path}`, {
    method,
    headers: { ...(auth ? { authorization: AUTH } : {}), ...(hasBody ? { 'content-type': 'application/json' } : {}), ...headers },
    body: hasBody ? JSON.stringify({ name: 'submit', data: { id: 'x' }, concurrency: 1, max: 1, duration: 1000, delay: 0, priority: 1, force: true }) : undefined,
  });
  const text = await res.text();
  return { status: res.status, allow: res.headers.get('allow'), type: res.headers.get('content-type'), body: text };
}

beforeAll(async () => {
  p = await startPipeline({ workers: false, env: { DASHBOARD_USER: USER, DASHBOARD_PASSWORD: PASSWORD } });
  // A real submit job of each provider too: no worker runs, so they stay waiting.
  for (const provider of ['aurpay', 'turinpay'] as const) {
    const { body } = withdrawalBody(provider);
    expect((await p.call('POST', '/v1/withdrawals', body)).status).toBe(202);
  }
  // Every queue gets a waiting and a delayed job (the targets of promote and clean), read by no worker.
  for (const q of p.runtime.queues.all()) {
    await q.add('probe', { id: 'probe' }, { jobId: `${q.name}-waiting` });
    await q.add('probe', { id: 'probe' }, { jobId: `${q.name}-delayed`, delay: HOUR_MS });
  }
  for (const q of p.runtime.queues.all()) {
    const [job] = await q.getJobs(['waiting', 'delayed']);
    expect(job?.id, `a job in ${q.name}`).toBeDefined();
    jobOf.set(q.name, String(job?.id));
  }
});
afterAll(async () => p?.close());

describe('the Bull dashboard is read-only', () => {
  it('shows every queue as read-only', async () => {
    const res = await fetch(`${p.baseUrl}/admin/queues/api/queues`, { headers: { authorization: AUTH } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { queues: { name: string; readOnlyMode: boolean; allowRetries: boolean }[] };
    expect(body.queues.map((q) => q.name).sort()).toEqual(p.runtime.queues.all().map((q) => q.name).sort());
    for (const q of body.queues) {
      expect(q.readOnlyMode, q.name).toBe(true);
      expect(q.allowRetries, q.name).toBe(false);
    }
  });

  it('refuses every action on every queue with 405 and a forbidden error, and the queues stay as they were', async () => {
    const before = await queueStates();
    expect(Object.values(before).some((s) => s.jobIds.length > 0)).toBe(true);
    for (const q of p.runtime.queues.all()) {
      for (const [method, path] of actions(q.name, jobOf.get(q.name) ?? '')) {
        const res = await send(method, path);
        expect(res.status, `${method} ${path}`).toBe(405);
        expect(res.allow, `${method} ${path}`).toBe('GET, HEAD');
        expect(res.type).toMatch(/^application\/json/);
        expect(JSON.parse(res.body), `${method} ${path}`).toMatchObject({ error: { code: 'forbidden', message: expect.stringContaining('read-only') } });
      }
    }
    expect(await queueStates()).toEqual(before);
    for (const q of p.runtime.queues.all()) expect(await q.isPaused(), q.name).toBe(false);
  });

  it('refuses writes to the withdrawals pages and to paths no route serves, with or without credentials', async () => {
    const id = jobOf.get('settle') ?? '';
    for (const [method, path] of [
      ['POST', '/admin/withdrawals'],
      ['DELETE', `/admin/withdrawals/${id}`],
      ['PUT', '/admin/queues'],
      ['POST', '/admin'],
      ['OPTIONS', '/admin/queues/api/queues'],
      ['POST', '/admin/no-such-page'],
    ] as const) {
      expect((await send(method, path)).status, `${method} ${path}`).toBe(405);
      expect((await send(method, path, {}, false)).status, `${method} ${path} without credentials`).toBe(405);
    }
  });

  it('refuses a cross-site write with 403, by Sec-Fetch-Site or by Origin', async () => {
    const pause = '/admin/queues/api/queues/settle/pause';
    const crossSite: Record<string, string>[] = [
      { 'sec-fetch-site': 'cross-site' },
      { 'sec-fetch-site': 'same-site' },
      { origin: 'https://attacker.example' },
      { origin: 'null' },
      { origin: p.baseUrl.replace('127.0.0.1', 'localhost') },
    ];
    for (const headers of crossSite) {
      const res = await send('POST', '/admin/queues/api/queues/settle/add', headers);
      expect(res.status, JSON.stringify(headers)).toBe(403);
      expect(JSON.parse(res.body)).toMatchObject({ error: { code: 'forbidden', message: expect.stringContaining('cross-site') } });
      expect((await send('PUT', pause, headers)).status, JSON.stringify(headers)).toBe(403);
    }
    // The server's own origin passes this guard and meets the read-only one.
    expect((await send('PUT', pause, { origin: p.baseUrl, 'sec-fetch-site': 'same-origin' })).status).toBe(405);
    expect(await p.runtime.queues.settle.isPaused()).toBe(false);
  });

  it('still answers reads, cross-site ones included (a link from elsewhere may open the dashboard)', async () => {
    for (const path of ['/admin/queues', '/admin/queues/api/queues', '/admin/withdrawals']) {
      const res = await fetch(`${p.baseUrl}${path}`, { headers: { authorization: AUTH, 'sec-fetch-site': 'cross-site' } });
      expect(res.status, path).toBe(200);
      const head = await fetch(`${p.baseUrl}${path}`, { method: 'HEAD', headers: { authorization: AUTH } });
      expect(head.status, `HEAD ${path}`).toBe(200);
    }
  });
});

describe('the cross-site guard on its own', () => {
  let app: FastifyInstance;
  let base: string;
  beforeAll(async () => {
    // A state-changing admin route, as one might be added one day: the guard alone must protect it.
    app = Fastify();
    app.addHook('onRequest', sameOriginWritesHook);
    app.post('/admin/act', async () => ({ done: true }));
    base = await app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => app?.close());

  const post = (headers: Record<string, string>) => fetch(`${base}/admin/act`, { method: 'POST', headers }).then((r) => r.status);

  it('refuses a write another site sends, and lets the same origin (or a client that is no browser) through', async () => {
    expect(await post({ 'sec-fetch-site': 'cross-site' })).toBe(403);
    expect(await post({ origin: 'https://attacker.example', 'sec-fetch-site': 'same-origin' })).toBe(403);
    expect(await post({ origin: 'null' })).toBe(403);
    expect(await post({ origin: base, 'sec-fetch-site': 'same-origin' })).toBe(200);
    expect(await post({ 'sec-fetch-site': 'none' })).toBe(200);
    expect(await post({})).toBe(200);
  });
});
