/**
 * The layout's rules, read from the sources as text: config.ts stands alone (feature rules live where
 * the settings are built, src/settings/), nothing in src/ reaches into the entry points of workers/,
 * and the feature modules take plain settings, never the configuration.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const SOURCE = /\.(ts|mts|js|mjs)$/;

/** Every source file under `dir` (relative to the repository), as repository-relative paths. */
function sourcesUnder(dir: string): string[] {
  return readdirSync(join(root, dir), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && SOURCE.test(e.name) && !e.name.endsWith('.d.ts'))
    .map((e) => relative(root, join(e.parentPath, e.name)))
    .sort();
}

/**
 * The module specifiers a source imports: import and export declarations (`import type` included),
 * dynamic `import()` (type positions included) and `require()`; comments and strings are not imports.
 */
function specifiersOf(source: string): string[] {
  return ts.preProcessFile(source, true, true).importedFiles.map((f) => f.fileName);
}

/** What `file` imports: a relative specifier as the repository-relative path it names, others as written. */
function importsOf(file: string): string[] {
  return specifiersOf(readFileSync(join(root, file), 'utf8')).map((s) => (s.startsWith('.') ? relative(root, resolve(root, dirname(file), s)) : s));
}

describe('the import reader', () => {
  it('finds type imports, re-exports, side-effect and dynamic imports, and not those in comments or strings', () => {
    const source = [
      "import type { Config } from '../config.ts';",
      "import {\n  a,\n  b,\n} from './multi-line.ts';",
      "export * from './re-export.ts';",
      "import './side-effect.ts';",
      "type T = typeof import('./type-position.ts');",
      "const m = await import('../../workers/main.ts');",
      "// import { x } from './in-a-comment.ts';",
      "const s = \"import { y } from './in-a-string.ts'\";",
    ].join('\n');
    expect(specifiersOf(source).sort()).toEqual(
      ['../../workers/main.ts', '../config.ts', './multi-line.ts', './re-export.ts', './side-effect.ts', './type-position.ts'].sort(),
    );
  });

  it('resolves relative imports to repository paths (the runtime imports src/config.ts)', () => {
    expect(importsOf('src/runtime.ts')).toContain('src/config.ts');
  });
});

describe('structure', () => {
  it('src/config.ts imports only zod, ./callers.ts, ./config-fields.ts and ./money.ts', () => {
    const allowed = new Set(['zod', 'src/callers.ts', 'src/config-fields.ts', 'src/money.ts']);
    const imports = importsOf('src/config.ts');
    expect(imports.length).toBeGreaterThan(0);
    const offending = imports.filter((i) => !allowed.has(i));
    expect(offending, `src/config.ts imports ${offending.join(', ')}; feature rules belong in src/settings/`).toEqual([]);
  });

  it('no file under src/ imports anything under workers/', () => {
    const files = sourcesUnder('src');
    expect(files.length).toBeGreaterThan(100);
    const offending = files.filter((f) => importsOf(f).some((i) => i === 'workers' || i.startsWith('workers/')));
    expect(offending, `these files under src/ import workers/: ${offending.join(', ')}`).toEqual([]);
  });

  it('no file under src/queues, src/webhooks, src/providers, src/telemetry or src/withdrawals imports config.ts, not even a type', () => {
    const dirs = ['src/queues', 'src/webhooks', 'src/providers', 'src/telemetry', 'src/withdrawals'];
    for (const dir of dirs) expect(sourcesUnder(dir).length, dir).toBeGreaterThan(0);
    const offending = dirs.flatMap(sourcesUnder).filter((f) => importsOf(f).includes('src/config.ts'));
    expect(offending, `these feature modules import src/config.ts (map the configuration in src/settings/ instead): ${offending.join(', ')}`).toEqual([]);
  });
});

/** The text of every string and template literal in a source (comments are not literals). */
function stringLiteralsOf(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(join(root, file), 'utf8'), ts.ScriptTarget.Latest, true);
  const out: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isStringLiteralLike(node) || ts.isTemplateHead(node) || ts.isTemplateMiddle(node) || ts.isTemplateTail(node)) out.push(node.text);
    node.forEachChild(visit);
  };
  visit(source);
  return out;
}

/** A built-in provider's name as a word (`AURPAY_API_KEY` is a variable's name, not the provider's). */
const PROVIDER_NAME = /\b(aurpay|turinpay)\b/i;

describe('providers as definitions', () => {
  /** Where a name may stay, and why. */
  const EXCEPTIONS: Record<string, string> = {
    'src/api/openapi/examples.ts': "the OpenAPI document's examples show a real request",
    'src/api/openapi/docs/withdrawals.ts': "an example of the refusal of an unknown provider, as the built-in runtime words it",
    'src/cli/commands/demo.ts': 'the demo deliberately runs the two sandboxes',
  };
  const DEMO = 'src/demo/';

  it('finds a name in a string literal and a template, not in a comment or a variable name', () => {
    expect(stringLiteralsOf('src/cli/commands/demo.ts').some((s) => PROVIDER_NAME.test(s))).toBe(true);
    expect(PROVIDER_NAME.test('AURPAY_API_KEY')).toBe(false);
    expect(PROVIDER_NAME.test('use provider turinpay')).toBe(true);
  });

  it('no file under src/ outside src/providers/ names a built-in provider in a string literal (its definition does)', () => {
    const files = sourcesUnder('src').filter((f) => !f.startsWith('src/providers/') && !f.startsWith(DEMO) && !(f in EXCEPTIONS));
    expect(files.length).toBeGreaterThan(100);
    const offending = files.flatMap((f) => stringLiteralsOf(f).filter((s) => PROVIDER_NAME.test(s)).map((s) => `${f}: ${JSON.stringify(s)}`));
    expect(offending, 'provider knowledge belongs in its definition (src/providers/<name>/definition.ts)').toEqual([]);
  });

  it('each exception still names a provider (a stale one is removed)', () => {
    for (const file of Object.keys(EXCEPTIONS)) expect(stringLiteralsOf(file).some((s) => PROVIDER_NAME.test(s)), file).toBe(true);
  });

  it('each built-in provider folder exports one definition, and src/providers/index.ts lists them', () => {
    const index = readFileSync(join(root, 'src/providers/index.ts'), 'utf8');
    for (const name of ['aurpay', 'turinpay']) {
      const definition = readFileSync(join(root, `src/providers/${name}/definition.ts`), 'utf8');
      expect(definition).toMatch(new RegExp(`export const ${name} = defineProvider\\(`));
      expect(index).toContain(`import { ${name} } from './${name}/definition.ts';`);
    }
  });
});
