/**
 * deploy/grafana/withdrawals.json imports into Grafana: a `${DS_PROMETHEUS}` input that every panel,
 * query and variable uses, distinct panel ids, panels that fit the grid without overlapping, and a
 * panel for each thing operators watch, and for what each alerting rule reads.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { metricNames } from '../../support/promql-names.ts';

interface Target { expr?: string; refId?: string; datasource?: { uid?: string } }
interface Panel {
  id: number;
  type: string;
  title: string;
  datasource?: { type?: string; uid?: string };
  gridPos: { h: number; w: number; x: number; y: number };
  targets?: Target[];
}
interface Dashboard {
  __inputs: { name: string; type: string; pluginId: string }[];
  id: null;
  uid: string;
  title: string;
  panels: Panel[];
  templating: { list: { name: string; datasource?: { uid?: string }; query?: { query?: string } }[] };
}

const dashboard = JSON.parse(readFileSync(new URL('../../../deploy/grafana/withdrawals.json', import.meta.url), 'utf8')) as Dashboard;
const DS = '${DS_PROMETHEUS}';
const queryPanels = dashboard.panels.filter((p) => p.type !== 'row');
const exprs = queryPanels.flatMap((p) => (p.targets ?? []).map((t) => t.expr ?? ''));

describe('the Grafana dashboard', () => {
  it('declares the Prometheus datasource input and no fixed id', () => {
    expect(dashboard.__inputs).toEqual([expect.objectContaining({ name: 'DS_PROMETHEUS', type: 'datasource', pluginId: 'prometheus' })]);
    expect(dashboard.id).toBeNull();
    expect(dashboard.uid).toBe('withdrawals');
  });

  it('queries only through ${DS_PROMETHEUS}: panels, targets and variables', () => {
    for (const p of queryPanels) {
      expect(p.datasource, p.title).toEqual({ type: 'prometheus', uid: DS });
      expect(p.targets?.length, p.title).toBeGreaterThan(0);
      for (const t of p.targets ?? []) {
        expect(t.datasource?.uid, p.title).toBe(DS);
        expect(t.expr?.trim(), p.title).toBeTruthy();
      }
      const refIds = (p.targets ?? []).map((t) => t.refId);
      expect(new Set(refIds).size, p.title).toBe(refIds.length);
    }
    for (const v of dashboard.templating.list) expect(v.datasource?.uid, v.name).toBe(DS);
  });

  it('gives every panel its own id and a place on the 24-column grid that no other panel takes', () => {
    const ids = dashboard.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    const taken = new Map<string, string>();
    for (const p of dashboard.panels) {
      const { x, y, w, h } = p.gridPos;
      expect(x + w, p.title).toBeLessThanOrEqual(24);
      for (let col = x; col < x + w; col++) {
        for (let row = y; row < y + h; row++) {
          const cell = `${col},${row}`;
          expect(taken.get(cell), `${p.title} overlaps at ${cell}`).toBeUndefined();
          taken.set(cell, p.title);
        }
      }
    }
  });

  it.each([
    ['payouts by status', /withdrawals_in_status\{/],
    ['settle duration quantiles', /histogram_quantile\(0\.99, .*withdrawals_settle_duration_seconds_bucket/],
    ['provider requests by outcome', /sum by \([^)]*outcome[^)]*\) \(rate\(withdrawals_provider_requests_total/],
    ['breaker state', /withdrawals_breaker_open/],
    ['oldest unknown age', /withdrawals_oldest_unknown_age_seconds/],
    ['queue jobs', /withdrawals_queue_jobs/],
    ['webhook deliveries', /withdrawals_webhook_deliveries_total/],
    ['Redis up', /withdrawals_metrics_redis_up/],
    ['API requests by route and status class', /sum by \(route, status_class\) \(rate\(withdrawals_http_requests_total/],
    ['the API 5xx share', /withdrawals_http_requests_total\{[^}]*status_class="5xx"[^}]*\}.*\/.*withdrawals_http_requests_total/],
    ['API latency quantiles', /histogram_quantile\(0\.99, .*withdrawals_http_request_duration_seconds_bucket/],
    ['the failed share of settled payouts', /withdrawals_settle_duration_seconds_count\{status="failed".*\/.*withdrawals_settle_duration_seconds_count\{status=~"succeeded\|failed"/],
    ['the oldest withdrawal awaiting approval', /withdrawals_oldest_awaiting_approval_age_seconds/],
  ])('has a query for %s', (_what, pattern) => {
    expect(exprs.some((e) => pattern.test(e))).toBe(true);
  });

  it('shows every metric an alerting rule reads (deploy/prometheus/alerts.yml)', () => {
    const rules = (parse(readFileSync(new URL('../../../deploy/prometheus/alerts.yml', import.meta.url), 'utf8')) as { groups: { rules: { alert: string; expr: string }[] }[] }).groups.flatMap((g) => g.rules);
    const shown = new Set(exprs.flatMap((e) => metricNames(e)));
    const missing = rules.flatMap((r) => metricNames(r.expr).filter((name) => !shown.has(name)).map((name) => `${r.alert}: ${name}`));
    expect(rules.length).toBeGreaterThan(10);
    expect(missing).toEqual([]);
  });
});
