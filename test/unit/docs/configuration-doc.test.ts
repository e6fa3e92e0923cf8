/**
 * docs/configuration.md tells the truth: every variable the configuration reads (the service's
 * schema and every built-in provider's) has a row, every row names a variable that is read, and a
 * row's default is the schema's (a few defaults that are rules rather than values are explained).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { envSchema } from '../../../src/config.ts';
import { builtinProviders } from '../../../src/providers/index.ts';

const doc = readFileSync(new URL('../../../docs/configuration.md', import.meta.url), 'utf8');

/** The schema of every variable read, by name. */
const fields: Record<string, z.ZodType> = Object.assign({}, envSchema.shape, ...builtinProviders.map((d) => d.configSchema.shape));

/** Defaults the table states as a rule, not as the schema's literal value. */
const RULES: Record<string, string> = {
  AURPAY_API_TOKEN: 'unset, AURPAY_API_KEY is used',
  VALIDATION_THREADS: 'depends on the cores',
  OTEL_TRACES_EXPORTER: 'on when an endpoint is set',
  AUTO_PROVIDER_ORDER: "unset, the providers' order",
  WEBHOOK_EVENTS: 'unset, every event type',
  AURPAY_CONCURRENCY: 'unset, SUBMIT_CONCURRENCY',
  TURINPAY_CONCURRENCY: 'unset, SUBMIT_CONCURRENCY',
};

interface Row {
  variables: string[];
  defaults: string;
}

/** The rows of the variables table: each row's variables and its default cell. */
function rows(): Row[] {
  const table = doc.split('\n').filter((l) => /^\| `[A-Z][A-Z0-9_]*`/.test(l));
  return table.map((line) => {
    const [names = '', defaults = ''] = line.replace(/^\| /, '').split(' | ').map((c) => c.trim());
    return { variables: [...names.matchAll(/`([A-Z][A-Z0-9_]*)`/g)].map((m) => m[1] ?? ''), defaults: defaults.trim() };
  });
}

/** What the schema gives when the variable is unset, as the table writes it. */
function schemaDefault(name: string): string {
  const field = fields[name];
  if (!field) throw new Error(`no variable ${name}`);
  const parsed = field.safeParse(undefined);
  const value: unknown = parsed.success ? parsed.data : undefined;
  if (value === undefined || value === null || value === '') return '(none)';
  return `\`${String(value)}\``;
}

/** A default cell as one value per variable: `a`, `b` for two, one value for all, or the cell as is. */
function cellDefaults(row: Row): string[] {
  const parts = row.defaults.split(/,\s+/);
  if (parts.length === row.variables.length && parts.every((p) => /^(`[^`]*`|\(none\))$/.test(p))) return parts;
  return row.variables.map(() => row.defaults);
}

describe('docs/configuration.md', () => {
  it('has a row for every variable the configuration reads, and none for a variable it does not', () => {
    const documented = rows().flatMap((r) => r.variables);
    expect(Object.keys(fields).filter((name) => !documented.includes(name)), 'read but not documented').toEqual([]);
    expect(documented.filter((name) => !(name in fields)), 'documented but not read').toEqual([]);
    expect(documented.filter((name, i) => documented.indexOf(name) !== i), 'documented twice').toEqual([]);
  });

  it("states every variable's default as the schema has it", () => {
    const wrong: string[] = [];
    let compared = 0;
    for (const row of rows()) {
      cellDefaults(row).forEach((stated, i) => {
        const name = row.variables[i] ?? '';
        if (name in RULES) return;
        compared++;
        const actual = schemaDefault(name);
        if (stated !== actual) wrong.push(`${name}: the doc says ${stated}, the schema ${actual}`);
      });
    }
    expect(wrong).toEqual([]);
    expect(compared).toBe(Object.keys(fields).length - Object.keys(RULES).length);
  });

  it('explains only defaults that are rules, each of a documented variable', () => {
    const documented = rows().flatMap((r) => r.variables);
    for (const name of Object.keys(RULES)) expect(documented, name).toContain(name);
  });
});
