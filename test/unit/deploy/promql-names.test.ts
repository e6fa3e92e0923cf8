import { describe, expect, it } from 'vitest';
import { labelValues, metricNames } from '../../support/promql-names.ts';

describe('metricNames (PromQL tokenizer)', () => {
  it('finds a bare metric, one with matchers and one with a range', () => {
    expect(metricNames('up == 0')).toEqual(['up']);
    expect(metricNames('withdrawals_in_status{status="needs_review"} > 0')).toEqual(['withdrawals_in_status']);
    expect(metricNames('rate(withdrawals_provider_requests_total[5m])')).toEqual(['withdrawals_provider_requests_total']);
  });

  it('skips functions, aggregations, grouping label lists and keywords', () => {
    const expr = 'histogram_quantile(0.99, sum by (le, provider) (rate(withdrawals_settle_duration_seconds_bucket[5m])))';
    expect(metricNames(expr)).toEqual(['withdrawals_settle_duration_seconds_bucket']);
    expect(metricNames('sum(rate(a_total[1m])) without (instance) / on (job) group_left (provider) b')).toEqual(['a_total', 'b']);
    expect(metricNames('a > bool 1 and b unless c or d offset 5m')).toEqual(['a', 'b', 'c', 'd']);
    expect(metricNames('SUM BY (le) (x)')).toEqual(['x']);
  });

  it('ignores what sits in strings, label matchers, ranges and subqueries', () => {
    expect(metricNames('label_replace(m, "dst", "not_a_metric", "src", "(.*)")')).toEqual(['m']);
    expect(metricNames('m{job=~"withdrawals.*", state!="completed", note="a } b"}')).toEqual(['m']);
    expect(metricNames('max_over_time(deriv(m[15m])[1h:5m])')).toEqual(['m']);
    expect(metricNames("count_values('version', build_info)")).toEqual(['build_info']);
  });

  it('ignores numbers, durations and Grafana variables', () => {
    const expr = '60 * rate(m_count{provider=~"$provider", x="${var:regex}"}[$__rate_interval]) > 1e3 + 0x1f - 1h30m';
    expect(metricNames(expr)).toEqual(['m_count']);
    expect(metricNames('rate(m[$__rate_interval]) * $scale')).toEqual(['m']);
  });

  it('lists each name once, in order of first appearance, across lines', () => {
    expect(metricNames('b > 0\nand\na > 0\nand\nderiv(b[15m]) > 0')).toEqual(['b', 'a']);
  });

  it('refuses an unclosed bracket instead of guessing', () => {
    expect(() => metricNames('m{job="x"')).toThrow(/unclosed \{/);
  });
});

describe('labelValues (selector matchers)', () => {
  it('lists equality, inequality and plain-alternative regex matchers by metric', () => {
    const expr = 'sum(rate(d_total{outcome=~"retried|dead_lettered", job!="x"}[5m])) / q{state="waiting", status!~"succeeded|failed"}';
    expect(labelValues(expr)).toEqual([
      { metric: 'd_total', label: 'outcome', value: 'retried' },
      { metric: 'd_total', label: 'outcome', value: 'dead_lettered' },
      { metric: 'd_total', label: 'job', value: 'x' },
      { metric: 'q', label: 'state', value: 'waiting' },
      { metric: 'q', label: 'status', value: 'succeeded' },
      { metric: 'q', label: 'status', value: 'failed' },
    ]);
  });

  it('leaves out Grafana variables and regexes that are more than a list of words', () => {
    expect(labelValues('m{provider=~"$provider", job=~"withdrawals.*", x="${v}", state="waiting-children"}')).toEqual([
      { metric: 'm', label: 'state', value: 'waiting-children' },
    ]);
  });
});
