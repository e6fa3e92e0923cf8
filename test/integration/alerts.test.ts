/**
 * The alerting rules in deploy/prometheus: promtool accepts them (`check rules`), their unit tests
 * pass (`test rules`: each rule fires when it should and stays quiet when it should not), and the
 * example Prometheus configuration loads them (`check config`). A failure shows promtool's output.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { requireTool } from '../support/prerequisites.ts';

const DIR = fileURLToPath(new URL('../../deploy/prometheus/', import.meta.url));

interface Rule { alert?: string; record?: string; expr: string; labels?: Record<string, string>; annotations?: Record<string, string> }
interface RuleTest { alertname: string; exp_alerts: unknown[] }
const rules = (parse(readFileSync(`${DIR}alerts.yml`, 'utf8')) as { groups: { rules: Rule[] }[] }).groups.flatMap((g) => g.rules);
const unitTests = (parse(readFileSync(`${DIR}alerts.test.yml`, 'utf8')) as { tests: { alert_rule_test?: RuleTest[] }[] }).tests.flatMap(
  (t) => t.alert_rule_test ?? [],
);

let promtool = '';

function promtoolRun(...args: string[]): { status: number | null; output: string } {
  const r = spawnSync(promtool, args, { cwd: DIR, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, output: `promtool ${args.join(' ')}:\n${r.stdout}${r.stderr}${r.error ? String(r.error) : ''}` };
}

describe('the alerting rules (deploy/prometheus), through promtool', () => {
  beforeAll(() => {
    // A machine without promtool hears it in one line, with the package to install.
    promtool = requireTool('promtool');
  });

  it('pass promtool check rules', () => {
    const r = promtoolRun('check', 'rules', 'alerts.yml');
    expect(r.status, r.output).toBe(0);
    expect(r.output).toContain(`SUCCESS: ${rules.length} rules found`);
  });

  it('pass their unit tests (promtool test rules alerts.test.yml)', () => {
    const r = promtoolRun('test', 'rules', 'alerts.test.yml');
    expect(r.status, r.output).toBe(0);
    expect(r.output).toContain('SUCCESS');
  });

  it('load from the example prometheus.yml (promtool check config)', () => {
    const r = promtoolRun('check', 'config', 'prometheus.yml');
    expect(r.status, r.output).toBe(0);
  });
});

describe('each alerting rule', () => {
  it.each(rules.map((r) => [r.alert ?? r.record ?? '?', r] as const))('%s: a severity, a summary, a description saying what to do', (_name, rule) => {
    expect(rule.alert).toMatch(/^Withdrawals[A-Za-z]+$/);
    expect(['warning', 'critical']).toContain(rule.labels?.severity);
    expect(rule.annotations?.summary).toBeTruthy();
    expect(rule.annotations?.description).toMatch(/What to do:/);
  });

  it.each(rules.map((r) => [r.alert ?? '?'] as const))('%s: unit-tested both firing and quiet', (name) => {
    const cases = unitTests.filter((t) => t.alertname === name);
    expect(cases.some((t) => t.exp_alerts.length > 0), `${name} never expected to fire`).toBe(true);
    expect(cases.some((t) => t.exp_alerts.length === 0), `${name} never expected to stay quiet`).toBe(true);
  });
});
