/**
 * Every metric the alerting rules and the Grafana dashboard read is one the service exports: the
 * names are taken out of each PromQL expression and looked up in a real scrape of /metrics, made
 * after one payout so that counters and histograms carry samples. Prometheus's own `up` is the only
 * name from elsewhere.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { withdrawalBody } from '../support/invoices.ts';
import { eventually, startPipeline, type Pipeline } from '../support/pipeline.ts';
import { labelValues, metricNames, type LabelValue } from '../support/promql-names.ts';

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');
/** Series Prometheus makes itself for every target. */
const FROM_PROMETHEUS = new Set(['up']);

function ruleExpressions(): string[] {
  const doc = parse(read('deploy/prometheus/alerts.yml')) as { groups: { rules: { expr: string }[] }[] };
  return doc.groups.flatMap((g) => g.rules.map((r) => r.expr));
}

interface GrafanaPanel { targets?: { expr?: string }[]; panels?: GrafanaPanel[] }
function dashboardExpressions(): string[] {
  const d = JSON.parse(read('deploy/grafana/withdrawals.json')) as { panels: GrafanaPanel[]; templating: { list: { query?: { query?: string } | string }[] } };
  const panels = (ps: GrafanaPanel[]): GrafanaPanel[] => ps.flatMap((p) => [p, ...panels(p.panels ?? [])]);
  const targets = panels(d.panels).flatMap((p) => (p.targets ?? []).map((t) => t.expr ?? ''));
  // Variables: `label_values(selector, label)` reads the selector; the label is no metric.
  const variables = d.templating.list.map((v) => (typeof v.query === 'string' ? v.query : (v.query?.query ?? ''))).map((q) => /^label_values\((.*),\s*\w+\)$/.exec(q)?.[1] ?? q);
  return [...targets, ...variables].filter((e) => e.trim() !== '');
}

/** Names a scrape may show: each family of a `# TYPE` line, with a histogram's or summary's series suffixes. */
function exportedNames(exposition: string): Set<string> {
  const names = new Set<string>();
  for (const m of exposition.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    const [, name = '', type] = m;
    names.add(name);
    if (type === 'histogram') for (const s of ['_bucket', '_sum', '_count']) names.add(name + s);
    if (type === 'summary') for (const s of ['_sum', '_count']) names.add(name + s);
  }
  return names;
}

/** The names among `used` that neither the scrape nor Prometheus itself provides. */
function unknownNames(used: Iterable<string>, exported: Set<string>): string[] {
  return [...used].filter((n) => !exported.has(n) && !FROM_PROMETHEUS.has(n));
}

/** The matchers among `wanted` that no series of the scrape satisfies (a misspelt label value never matches). */
function unmatchedValues(wanted: LabelValue[], exposition: string): string[] {
  const lines = exposition.split('\n');
  return [...new Set(wanted.filter((w) => !FROM_PROMETHEUS.has(w.metric)).map((w) => `${w.metric}{${w.label}="${w.value}"}`))].filter((selector) => {
    const [metric = '', pair = ''] = selector.slice(0, -1).split('{');
    return !lines.some((l) => l.startsWith(`${metric}{`) && (l.includes(`{${pair}`) || l.includes(`,${pair}`)));
  });
}

describe('exportedNames and unknownNames', () => {
  const scrape = ['# HELP a_total A.', '# TYPE a_total counter', 'a_total 1', '# TYPE d_seconds histogram', 'd_seconds_bucket{le="1"} 0'].join('\n');

  it('accept a histogram read by its _bucket, _sum and _count series, and `up`', () => {
    expect(unknownNames(['a_total', 'd_seconds_bucket', 'd_seconds_sum', 'd_seconds_count', 'up'], exportedNames(scrape))).toEqual([]);
  });

  it('report a name the scrape lacks, and a counter read without its _total', () => {
    expect(unknownNames(['withdrawals_not_a_metric', 'a', 'a_total_bucket'], exportedNames(scrape))).toEqual(['withdrawals_not_a_metric', 'a', 'a_total_bucket']);
  });

  it('unmatchedValues reports a label value no series carries', () => {
    const text = 'q{queue="settle",state="waiting"} 0\nq{queue="settle",state="active"} 0';
    const wanted = labelValues('q{state="waiting"} + q{state=~"active|wait"} + up{job="x"}');
    expect(unmatchedValues(wanted, text)).toEqual(['q{state="wait"}']);
  });
});

describe('the metrics the rules and the dashboard read', () => {
  let p: Pipeline;
  let exposition = '';

  beforeAll(async () => {
    // The per-producer series too: the scrape then holds every family docs/operations.md lists.
    p = await startPipeline({ workers: true, env: { METRICS_PRODUCER_LABELS: 'true' } });
    const { body } = withdrawalBody('aurpay');
    expect((await p.call('POST', '/v1/withdrawals', body)).status).toBe(202);
    await eventually(async () => ((await p.call('GET', `/v1/withdrawals/${body.id}`)).body.status === 'succeeded' ? true : undefined), 15_000, 'the payout settled');
    const res = await fetch(`${p.baseUrl}/metrics`);
    expect(res.status).toBe(200);
    exposition = await res.text();
  });
  afterAll(async () => {
    await p?.close();
  });

  it('the scrape has the settle histogram and the counters with samples', () => {
    expect(exposition).toMatch(/^withdrawals_settle_duration_seconds_count\{[^}]*provider="aurpay"[^}]*\} 1$/m);
    expect(exposition).toMatch(/^withdrawals_provider_requests_total\{[^}]*operation="submit"[^}]*outcome="accepted"[^}]*\} [1-9]/m);
    expect(exposition).toMatch(/^withdrawals_webhook_deliveries_total\{outcome="delivered"\} \d+$/m);
  });

  it.each([
    ['alerting rules (deploy/prometheus/alerts.yml)', ruleExpressions],
    ['Grafana dashboard (deploy/grafana/withdrawals.json)', dashboardExpressions],
  ])('every name in the %s is exported by the service', (_what, expressions) => {
    const exprs = expressions();
    expect(exprs.length).toBeGreaterThan(5);
    const used = new Set(exprs.flatMap((e) => metricNames(e)));
    expect(unknownNames(used, exportedNames(exposition))).toEqual([]);
    expect([...used]).toEqual(expect.arrayContaining(['withdrawals_in_status', 'withdrawals_breaker_open', 'withdrawals_metrics_redis_up']));
  });

  it.each([
    ['alerting rules', ruleExpressions],
    ['Grafana dashboard', dashboardExpressions],
  ])('every label value the %s select on is one a series of the scrape carries', (_what, expressions) => {
    const wanted = expressions().flatMap((e) => labelValues(e));
    expect(wanted.map((w) => w.value)).toEqual(expect.arrayContaining(['needs_review']));
    expect(unmatchedValues(wanted, exposition)).toEqual([]);
  });

  it('docs/operations.md names every withdrawals_* metric of the scrape, each with its labels, and no other', () => {
    const doc = read('docs/operations.md');
    const bullet = /- \*\*Metrics\*\* \(`\/metrics`\):([\s\S]*?)\n- \*\*/.exec(doc)?.[1] ?? '';
    const documented = new Map([...bullet.matchAll(/`(withdrawals_[a-z_]+)(?:\{([a-z_,]*)\})?`/g)].map((m) => [m[1] ?? '', (m[2] ?? '').split(',').filter(Boolean).sort()]));
    const families = new Map<string, string>();
    for (const m of exposition.matchAll(/^# TYPE (withdrawals_\S+) (\S+)$/gm)) families.set(m[1] ?? '', m[2] ?? '');
    expect([...families.keys()].filter((name) => !documented.has(name)), 'exported but not documented').toEqual([]);
    expect([...documented.keys()].filter((name) => !families.has(name)), 'documented but not exported').toEqual([]);
    for (const [name, labels] of documented) {
      const series = exposition.split('\n').filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name}_bucket{`) || l.startsWith(`${name} `));
      if (series.length === 0) continue;
      const seen = new Set(series.flatMap((l) => [...(/\{(.*)\}/.exec(l)?.[1] ?? '').matchAll(/([a-z_]+)="/g)].map((m) => m[1] ?? '')));
      seen.delete('le');
      expect([...seen].sort(), name).toEqual(labels);
    }
  });
});
