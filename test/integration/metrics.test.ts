import { spawnSync } from 'node:child_process';
import { requireTool } from '../support/prerequisites.ts';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withdrawalBody } from '../support/invoices.ts';
import { eventually, startPipeline, type Pipeline } from '../support/pipeline.ts';

/** `name{a="x",b="y"} 12` lines of the Prometheus text format, keyed by name and sorted label text. */
function samples(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`not a sample line: ${line}`);
    const labels = (m[2] ?? '').split(/,(?=[a-zA-Z_]+=")/).filter(Boolean).sort().join(',');
    out.set(`${m[1]}{${labels}}`, Number(m[3]));
  }
  return out;
}

function value(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const key = Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .sort()
    .join(',');
  return samples(text).get(`${name}{${key}}`);
}

/** The exposition rules promtool lints, checked by hand so the suite asserts them with or without promtool. */
function lintProblems(text: string): string[] {
  const problems: string[] = [];
  const helps = new Set<string>();
  const types = new Map<string, string>();
  for (const line of text.split('\n')) {
    const help = /^# HELP (\S+) (.+)$/.exec(line);
    if (help?.[1]) helps.add(help[1]);
    const type = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (type?.[1] && type[2]) types.set(type[1], type[2]);
  }
  for (const [name, type] of types) {
    if (!helps.has(name)) problems.push(`${name}: no HELP`);
    if (!/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(name) || /[A-Z]/.test(name)) problems.push(`${name}: not snake_case`);
    if (type === 'counter' && !name.endsWith('_total')) problems.push(`${name}: counter without _total`);
    if (type !== 'counter' && name.endsWith('_total')) problems.push(`${name}: ${type} with _total`);
    if (/_(ms|milliseconds|minutes|hours)\b/.test(name)) problems.push(`${name}: use base units (seconds)`);
    if ((type === 'histogram' || name.includes('duration') || name.includes('age')) && type !== 'counter' && !/_seconds(_|$)/.test(name) && name.startsWith('withdrawals_')) {
      problems.push(`${name}: a time without _seconds`);
    }
  }
  for (const key of samples(text).keys()) {
    const base = key.slice(0, key.indexOf('{')).replace(/_(bucket|sum|count)$/, '');
    if (!types.has(base) && !types.has(key.slice(0, key.indexOf('{')))) problems.push(`${key}: sample without TYPE`);
  }
  return problems;
}

let p: Pipeline;
const scrape = async (): Promise<string> => {
  const res = await fetch(`${p.baseUrl}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return res.text();
};

async function payAndSettle(provider: 'aurpay' | 'turinpay', n: number): Promise<void> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const { body } = withdrawalBody(provider);
    expect((await p.call('POST', '/v1/withdrawals', body)).status).toBe(202);
    ids.push(body.id);
  }
  for (const id of ids) {
    await eventually(async () => ((await p.call('GET', `/v1/withdrawals/${id}`)).body.status === 'succeeded' ? true : undefined), 15_000, `${id} settled`);
  }
}

beforeAll(async () => {
  p = await startPipeline();
});
afterAll(async () => p.close());

describe('GET /metrics', () => {
  const batchId = `batch-m-${randomUUID().slice(0, 8)}`;
  let text = '';

  beforeAll(async () => {
    await Promise.all([payAndSettle('aurpay', 3), payAndSettle('turinpay', 3)]);
    // Paused TurinPay (as an open breaker would): a batch waits queued, one withdrawal is made unknown by hand.
    await p.runtime.queues.submitQueue('turinpay').pause();
    const items = [withdrawalBody('turinpay').body, withdrawalBody('turinpay').body];
    expect((await p.call('POST', '/v1/batches', { id: batchId, items })).status).toBe(202);
    const { body } = withdrawalBody('turinpay');
    expect((await p.call('POST', '/v1/withdrawals', body)).status).toBe(202);
    const store = p.runtime.store;
    expect((await store.transition(body.id, { from: 'queued', to: 'submitting', newFence: 'f1', cause: 'test' })).ok).toBe(true);
    expect((await store.transition(body.id, { from: 'submitting', to: 'unknown', fence: 'f1', cause: 'test: timeout' })).ok).toBe(true);
    await new Promise((r) => setTimeout(r, 20));
    text = await scrape();
  });

  it('reports withdrawals by provider and status, read from Redis', () => {
    expect(value(text, 'withdrawals_in_status', { provider: 'aurpay', status: 'succeeded' })).toBe(3);
    expect(value(text, 'withdrawals_in_status', { provider: 'turinpay', status: 'succeeded' })).toBe(3);
    expect(value(text, 'withdrawals_in_status', { provider: 'turinpay', status: 'queued' })).toBe(2);
    expect(value(text, 'withdrawals_in_status', { provider: 'turinpay', status: 'unknown' })).toBe(1);
    expect(value(text, 'withdrawals_in_status', { provider: 'aurpay', status: 'needs_review' })).toBe(0);
    expect(value(text, 'withdrawals_metrics_redis_up')).toBe(1);
  });

  it('reports the age of the oldest unknown withdrawal, 0 when none', () => {
    expect(value(text, 'withdrawals_oldest_unknown_age_seconds', { provider: 'turinpay' })).toBeGreaterThan(0);
    expect(value(text, 'withdrawals_oldest_unknown_age_seconds', { provider: 'turinpay' })).toBeLessThan(60);
    expect(value(text, 'withdrawals_oldest_unknown_age_seconds', { provider: 'aurpay' })).toBe(0);
  });

  it('counts provider calls by operation and outcome', () => {
    const calls = (provider: string, operation: string, outcome: string) =>
      value(text, 'withdrawals_provider_requests_total', { provider, operation, outcome }) ?? -1;
    expect(calls('aurpay', 'submit', 'accepted')).toBe(3);
    expect(calls('turinpay', 'submit', 'accepted')).toBe(3);
    // Aurpay's submit answer is never taken as settlement: each one was confirmed by a lookup.
    expect(calls('aurpay', 'lookup', 'found')).toBeGreaterThanOrEqual(3);
    expect(calls('turinpay', 'submit', 'unknown')).toBe(0);
  });

  it('observes the time from acceptance to a terminal status', () => {
    for (const provider of ['aurpay', 'turinpay']) {
      expect(value(text, 'withdrawals_settle_duration_seconds_count', { provider, status: 'succeeded' })).toBe(3);
      const sum = value(text, 'withdrawals_settle_duration_seconds_sum', { provider, status: 'succeeded' }) ?? -1;
      expect(sum).toBeGreaterThan(0);
      expect(sum).toBeLessThan(3 * 15);
      expect(value(text, 'withdrawals_settle_duration_seconds_bucket', { provider, status: 'succeeded', le: '+Inf' })).toBe(3);
    }
  });

  it('shows the breaker open while a provider is paused', () => {
    expect(value(text, 'withdrawals_breaker_open', { provider: 'turinpay' })).toBe(1);
    expect(value(text, 'withdrawals_breaker_open', { provider: 'aurpay' })).toBe(0);
  });

  it('reports BullMQ job counts for every queue', () => {
    for (const q of p.runtime.queues.all()) {
      expect(value(text, 'withdrawals_queue_jobs', { queue: q.name, state: 'active' }), q.name).toBeDefined();
    }
    expect(value(text, 'withdrawals_queue_jobs', { queue: 'submit-aurpay', state: 'completed' })).toBe(3);
  });

  it('reports the progress of unfinished batches only, summed, never naming a batch', async () => {
    expect(value(text, 'withdrawals_batch_items', { status: 'queued' })).toBe(2);
    expect(value(text, 'withdrawals_batch_items', { status: 'succeeded' })).toBe(0);
    expect(value(text, 'withdrawals_open_batches')).toBe(1);
    expect(text).not.toContain(batchId);
    expect(text).not.toMatch(/batch="/);
    await p.runtime.queues.submitQueue('turinpay').resume();
    const after = await eventually(async () => {
      const t = await scrape();
      return value(t, 'withdrawals_open_batches') === 0 ? t : undefined;
    }, 15_000, 'the finished batch to leave the metrics');
    expect(value(after, 'withdrawals_batch_items', { status: 'queued' })).toBe(0);
    expect(value(after, 'withdrawals_in_status', { provider: 'turinpay', status: 'succeeded' })).toBe(5);
    expect(value(after, 'withdrawals_breaker_open', { provider: 'turinpay' })).toBe(0);
    expect(value(after, 'withdrawals_settle_duration_seconds_count', { provider: 'turinpay', status: 'succeeded' })).toBe(5);
  });

  it('names no producer or operator without METRICS_PRODUCER_LABELS', () => {
    expect(text).not.toMatch(/producer="/);
    expect(text).not.toContain('withdrawals_daily_');
    expect(text).not.toMatch(/"(tester|ops)"/);
  });

  it('reads Redis at most once a second however many scrape, concurrent scrapes sharing one read', async () => {
    const store = p.runtime.store;
    const original = store.countByStatus;
    let reads = 0;
    store.countByStatus = (...args) => {
      reads++;
      return original(...args);
    };
    try {
      const started = performance.now();
      for (let round = 0; round < 5; round++) {
        const texts = await Promise.all(Array.from({ length: 20 }, () => scrape()));
        expect(new Set(texts).size).toBe(1);
      }
      const seconds = (performance.now() - started) / 1000;
      expect(reads).toBeLessThanOrEqual(Math.ceil(seconds) + 1);
    } finally {
      store.countByStatus = original;
    }
    // Once the second is over, the next scrape reads again.
    await new Promise((r) => setTimeout(r, 1100));
    let after = 0;
    store.countByStatus = (...args) => {
      after++;
      return original(...args);
    };
    try {
      await scrape();
      expect(after).toBe(1);
    } finally {
      store.countByStatus = original;
    }
  });

  it('passes the exposition lint rules and promtool check metrics', () => {
    expect(lintProblems(text)).toEqual([]);
    for (const name of [
      'withdrawals_in_status',
      'withdrawals_oldest_unknown_age_seconds',
      'withdrawals_provider_requests_total',
      'withdrawals_settle_duration_seconds',
      'withdrawals_breaker_open',
      'withdrawals_queue_jobs',
      'withdrawals_batch_items',
      'withdrawals_open_batches',
    ]) {
      expect(text).toMatch(new RegExp(`^# HELP ${name} `, 'm'));
    }
    expect(text).toMatch(/^# TYPE withdrawals_provider_requests_total counter$/m);
    expect(text).toMatch(/^# TYPE withdrawals_settle_duration_seconds histogram$/m);
    expect(text).toMatch(/^# TYPE withdrawals_in_status gauge$/m);
    // A missing promtool fails here with the line that says how to install it.
    const run = spawnSync(requireTool('promtool'), ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect(`${run.stdout}${run.stderr}`).toBe('');
    expect(run.status).toBe(0);
  });

  it('the hand-written lint catches what promtool would', () => {
    const bad = '# TYPE foo_requests counter\nfoo_requests 1\n# HELP bar_total x\n# TYPE bar_total gauge\nbar_total 1\n';
    expect(lintProblems(bad)).toEqual(['foo_requests: no HELP', 'foo_requests: counter without _total', 'bar_total: gauge with _total']);
  });

  it('the admin pages are off without DASHBOARD_USER and DASHBOARD_PASSWORD', async () => {
    for (const path of ['/admin/queues', '/admin/withdrawals']) {
      const res = await fetch(`${p.baseUrl}${path}`, { headers: { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` } });
      expect(res.status, path).toBe(404);
    }
  });
});
