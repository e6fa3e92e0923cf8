/**
 * docker-compose.yml keeps its word without a Docker engine: read as YAML, it bounds Redis's memory
 * with noeviction, passes every configuration variable to the containers through .env, and checks
 * the workers' readiness; .env.example lists each variable with an empty value (the default).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { builtinProviders } from '../../../src/providers/index.ts';
import { loadConfig } from '../../support/builtin-settings.ts';

const read = (path: string) => readFileSync(new URL(`../../../${path}`, import.meta.url), 'utf8');

interface Service {
  command?: string[];
  env_file?: string | string[];
  environment?: Record<string, string>;
  healthcheck?: { test: string[] };
}
const compose = parse(read('docker-compose.yml'), { merge: true }) as { services: Record<string, Service> };
const service = (name: string): Service => {
  const s = compose.services[name];
  if (!s) throw new Error(`docker-compose.yml has no service ${name}`);
  return s;
};
const APP_SERVICES = ['api', 'worker'];
/** What docker-compose.yml sets in the containers itself (addresses inside the compose network). */
const SET_BY_COMPOSE = ['REDIS_URL', 'HOST', 'PORT', 'METRICS_PORT'];

/** `KEY=value` lines of an env file (comments and blank lines left out). */
function envFile(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line.trim() === '' || line.trimStart().startsWith('#')) continue;
    const m = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
    if (!m?.[1]) throw new Error(`not a KEY=value line: ${line}`);
    out.set(m[1], m[2] ?? '');
  }
  return out;
}
const example = envFile(read('.env.example'));

/** The variables of the Configuration table of docs/configuration.md (a row may name two: `HOST`, `PORT`). */
function readmeVariables(): string[] {
  const readme = read('docs/configuration.md');
  const section = readme.slice(readme.indexOf('## Configuration'), readme.indexOf('\n## ', readme.indexOf('## Configuration') + 1));
  const names: string[] = [];
  for (const line of section.split('\n')) {
    const first = /^\| (.+?) \|/.exec(line)?.[1];
    if (first) names.push(...[...first.matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((m) => m[1] ?? ''));
  }
  return names;
}

/** The keys of config.ts's environment schema and of the built-in providers' schemas: every variable the service reads. */
function configVariables(): string[] {
  const source = read('src/config.ts');
  const start = source.indexOf('const envSchema = z.object({');
  const body = source.slice(start, source.indexOf('\n});', start));
  const own = [...body.matchAll(/^ {2}([A-Z][A-Z0-9_]+):/gm)].map((m) => m[1] ?? '');
  return [...own, ...builtinProviders.flatMap((d) => Object.keys(d.configSchema.shape))];
}

describe('docker-compose.yml', () => {
  it('runs Redis with a maxmemory and maxmemory-policy noeviction (and AOF)', () => {
    const cmd = service('redis').command ?? [];
    const arg = (flag: string) => cmd[cmd.indexOf(flag) + 1];
    expect(cmd).toContain('--maxmemory');
    expect(arg('--maxmemory')).toMatch(/^\$\{REDIS_MAXMEMORY:-[0-9]+[kmg]b\}$/);
    expect(arg('--maxmemory-policy')).toBe('noeviction');
    expect(arg('--appendonly')).toBe('yes');
  });

  it.each(APP_SERVICES)('gives the %s containers .env, and sets only the addresses itself', (name) => {
    const s = service(name);
    expect([s.env_file].flat()).toEqual(['.env']);
    const own = Object.keys(s.environment ?? {}).filter((k) => k !== 'API_TOKENS');
    expect(own.filter((k) => !SET_BY_COMPOSE.includes(k))).toEqual([]);
    expect(s.environment?.REDIS_URL).toBe('redis://redis:6379');
  });

  it('checks the workers on METRICS_PORT /readyz and the API on PORT /readyz', () => {
    const worker = service('worker');
    expect(worker.environment?.METRICS_PORT).toBe('9100');
    expect(worker.healthcheck?.test.join(' ')).toMatch(/process\.env\.METRICS_PORT \+ '\/readyz'/);
    expect(service('api').healthcheck?.test.join(' ')).toContain('http://127.0.0.1:3000/readyz');
  });
});

describe('.env.example', () => {
  it('lists every variable of docs/configuration.md and of config.ts but those compose sets', () => {
    const expected = new Set([...readmeVariables(), ...configVariables()]);
    expect(expected.size).toBeGreaterThan(40);
    const missing = [...expected].filter((v) => !example.has(v) && !SET_BY_COMPOSE.includes(v));
    expect(missing).toEqual([]);
    expect(SET_BY_COMPOSE.filter((v) => example.has(v))).toEqual([]);
  });

  it('holds nothing else but what docker-compose.yml itself reads', () => {
    const known = new Set([...readmeVariables(), ...configVariables()]);
    const composeText = read('docker-compose.yml');
    const extra = [...example.keys()].filter((k) => !known.has(k));
    expect(extra.length).toBeGreaterThan(0);
    for (const k of extra) expect(composeText, k).toContain(`\${${k}:`);
  });

  it('leaves every value empty, which the service reads as its default', () => {
    expect([...example].filter(([, v]) => v !== '')).toEqual([]);
    const env = Object.fromEntries(example);
    const tokens = { API_TOKENS: 'ops=example-token-001' };
    expect(loadConfig({ ...env, ...tokens })).toEqual(loadConfig(tokens));
  });
});

describe('.dockerignore', () => {
  it('keeps dependencies, build output, test artifacts, git and local secrets out of the build context', () => {
    const lines = read('.dockerignore').split('\n').map((l) => l.trim());
    for (const entry of ['node_modules', 'dist', 'test-artifacts', '.git', 'bench/results', '.env']) expect(lines).toContain(entry);
  });
});
