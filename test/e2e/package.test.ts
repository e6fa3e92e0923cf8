/**
 * The published package, as a consumer gets it: `npm pack`, then `npm install <tarball>` into an
 * empty project outside this repository (no TypeScript loader, no sources), then plain Node ESM,
 * a strict NodeNext type check, the validation thread and the `withdrawals` command.
 * The vitest set-up has built dist/ from the current sources; packing takes it as it is.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import semver from 'semver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisUrl, testRedis, type TestRedis } from '../support/redis.ts';

const exec = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));
const require = createRequire(import.meta.url);
const pkg = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { version: string; engines: { node: string } };
const typesNodeVersion = (require('@types/node/package.json') as { version: string }).version;
const tsc = require.resolve('typescript/bin/tsc');

let dir: string;
let consumer: string;
let packed: string[];
let r: TestRedis;

/** Runs in the consumer project, with only PATH and HOME from this environment (no NODE_OPTIONS loader). */
function inConsumer(file: string, args: string[], env: Record<string, string> = {}) {
  return exec(file, args, {
    cwd: consumer,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    timeout: 120_000,
    maxBuffer: 16 * 1024 * 1024,
  });
}

/** Every package directory under a node_modules folder, nested ones and scoped ones included. */
async function installedPackages(modules: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(modules, { withFileTypes: true }).catch(() => [])) {
    if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
    const path = join(modules, entry.name);
    const dirs = entry.name.startsWith('@') ? (await readdir(path, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => join(path, e.name)) : [path];
    for (const d of dirs) found.push(d, ...(await installedPackages(join(d, 'node_modules'))));
  }
  return found;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'withdrawals-package-'));
  consumer = join(dir, 'consumer');
  // With its scripts, as `npm publish` packs: prepack strips the checkout's scripts from the packed
  // manifest, postpack restores package.json (prepare finds dist/ up to date: the test set-up built it).
  const { stdout } = await exec('npm', ['pack', '--json', '--pack-destination', dir], { cwd: root, timeout: 120_000 });
  const [info] = JSON.parse(stdout) as { filename: string; files: { path: string }[] }[];
  if (!info) throw new Error(`npm pack printed no package: ${stdout}`);
  packed = info.files.map((f) => f.path);
  await mkdir(consumer);
  await writeFile(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  // From npm's cache where it can (this repository's own install filled it); the dependencies'
  // install scripts are not what is tested here.
  await inConsumer('npm', [
    'install',
    '--no-audit',
    '--no-fund',
    '--prefer-offline',
    '--ignore-scripts',
    '--no-package-lock',
    join(dir, info.filename),
    `@types/node@${typesNodeVersion}`,
  ]);
  r = await testRedis('pkg');
}, 300_000);

afterAll(async () => {
  await r?.cleanup();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the packed package', () => {
  it('holds the compiled code, its Lua scripts and thread entry, and no sources, tests or benchmarks', () => {
    for (const f of ['package.json', 'bin/withdrawals.js', 'dist/src/index.js', 'dist/src/index.d.ts', 'dist/workers/main.js', 'dist/workers/service.js']) {
      expect(packed).toContain(f);
    }
    expect(packed).toContain('dist/src/withdrawals/lua/create.lua');
    expect(packed).toContain('dist/src/withdrawals/validation/thread-entry.mjs');
    expect(packed).toContain('dist/src/withdrawals/validation/thread.js');
    expect(packed.filter((f) => /^(src|test|bench|workers)\//.test(f) || f.endsWith('.tsbuildinfo') || (f.endsWith('.ts') && !f.endsWith('.d.ts')))).toEqual([]);
  });

  it('ships the MIT LICENSE its manifest names, a repository, and the docs the README links, and no checkout script', async () => {
    expect(packed).toEqual(expect.arrayContaining(['LICENSE', 'README.md', 'SECURITY.md', 'docs/commands.md', 'docs/http-api.md', 'docs/configuration.md']));
    const installed = join(consumer, 'node_modules', 'withdrawals');
    const manifest = JSON.parse(await readFile(join(installed, 'package.json'), 'utf8')) as { license?: string; repository?: unknown; scripts?: Record<string, string>; engines?: Record<string, string> };
    expect(manifest.license).toBe('MIT');
    // The form npm expects (npm pkg fix leaves it as it is): a git URL npm and registries can link.
    expect(manifest.repository).toEqual({ type: 'git', url: expect.stringMatching(/^git\+https:\/\/\S+\.git$/) });
    expect((await readFile(join(installed, 'LICENSE'), 'utf8')).split('\n')[0]).toBe('MIT License');
    expect(manifest.scripts ?? {}).toEqual({});
    expect(manifest.engines).toEqual({ node: '>=20.18.1' });
    // Every docs/ link of the README resolves inside the package.
    const readme = await readFile(join(installed, 'README.md'), 'utf8');
    const links = [...readme.matchAll(/\]\((docs\/[^)#]+)/g)].map((m) => m[1] ?? '');
    expect(links.length).toBeGreaterThan(5);
    for (const link of links) expect(packed, link).toContain(link);
    // The checkout keeps its own scripts.
    const own = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(own.scripts.prepare).toBe('node bin/build.js --keep-going');
  });

  it('installs no dependency that asks for a newer Node than the engines field promises', async () => {
    const oldest = semver.minVersion(pkg.engines.node);
    if (!oldest) throw new Error(`engines.node ${pkg.engines.node} has no lowest version`);
    const packages = await installedPackages(join(consumer, 'node_modules'));
    expect(packages.length).toBeGreaterThan(50);
    const tooNew: string[] = [];
    for (const d of packages) {
      const manifest = JSON.parse(await readFile(join(d, 'package.json'), 'utf8').catch(() => '{}')) as { name?: string; version?: string; engines?: { node?: unknown } };
      const wants = manifest.engines?.node;
      if (typeof wants === 'string' && semver.validRange(wants) && !semver.satisfies(oldest, wants)) tooNew.push(`${manifest.name}@${manifest.version} wants node ${wants}`);
    }
    expect(tooNew, `a consumer on Node ${oldest.version}`).toEqual([]);
    // Those that did, held back by exact dependencies in package.json (a consumer never gets our overrides):
    // @fastify/static after 10.1.3 (through @bull-board/fastify) takes content-disposition 3, and
    // light-my-request after 6.6.0 (through fastify) takes cookie 2, both for Node 22.
    const versionOf = async (name: string) => (JSON.parse(await readFile(join(consumer, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
    expect(semver.major(await versionOf('content-disposition'))).toBe(2);
    expect(semver.major(await versionOf('cookie'))).toBe(1);
  });

  it('imports from plain Node ESM and reads from Redis through the client', async () => {
    const script = `
      import { createWithdrawalsClient, STATUSES } from 'withdrawals';
      const client = await createWithdrawalsClient({ redisUrl: process.env.REDIS_URL, prefix: process.env.PREFIX });
      const record = await client.get('x');
      await client.close();
      console.log(JSON.stringify({ resolved: import.meta.resolve('withdrawals'), record, statuses: STATUSES.length }));
    `;
    const { stdout } = await inConsumer(process.execPath, ['--input-type=module', '-e', script], { REDIS_URL: redisUrl(), PREFIX: r.prefix });
    const out = JSON.parse(stdout) as { resolved: string; record: unknown; statuses: number };
    expect(out.resolved).toMatch(/\/consumer\/node_modules\/withdrawals\/dist\/src\/index\.js$/);
    expect(out.record).toBeNull();
    expect(out.statuses).toBeGreaterThan(0);
  });

  it('type-checks a strict NodeNext consumer with no errors', { timeout: 180_000 }, async () => {
    await writeFile(
      join(consumer, 'consumer.ts'),
      `import { createWithdrawalsClient, isTerminal, loadConfig, type WithdrawalRecord, type WithdrawalsClient } from 'withdrawals';

const client: WithdrawalsClient = await createWithdrawalsClient({ redisUrl: loadConfig({}).REDIS_URL, prefix: 'wd' });
const record: WithdrawalRecord | null = await client.get('payout-1');
if (record && isTerminal(record.status)) console.log(record.feeMsat ?? 'no fee');
await client.close();
`,
    );
    const res = await inConsumer(process.execPath, [tsc, '--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', 'consumer.ts']).catch(
      (err: { stdout?: string; code?: number }) => ({ stdout: err.stdout ?? String(err), code: err.code }),
    );
    expect(res.stdout).toBe('');
  });

  it('validates batch items in a worker thread with no TypeScript loader installed', async () => {
    const script = `
      import { Worker } from 'node:worker_threads';
      import { builtinProviders } from 'withdrawals';
      // The thread takes the providers' plain data (their profiles): definitions hold functions.
      const providers = builtinProviders.map(({ name, label, keyVariable, capabilities }) => ({ name, label, keyVariable, capabilities: { ...capabilities } }));
      const entry = new URL('./node_modules/withdrawals/dist/src/withdrawals/validation/thread-entry.mjs', 'file://' + process.cwd() + '/');
      const worker = new Worker(entry, { execArgv: [] }); // not this process's --input-type
      const ctx = { network: 'bitcoin', nowMs: Date.now(), expiryMarginSeconds: 60, enabledProviders: ['turinpay'], allowOnchain: false, maxAmountMsat: null, providers };
      worker.postMessage({ seq: 7, ctx, items: [{ id: 'a' }, 'not an object'] });
      worker.once('error', (err) => { console.error(err); process.exit(1); });
      worker.once('message', async (reply) => {
        console.log(JSON.stringify({ seq: reply.seq, results: reply.results?.length ?? null, failure: reply.failure ?? null }));
        await worker.terminate();
      });
    `;
    const { stdout } = await inConsumer(process.execPath, ['--input-type=module', '-e', script]);
    expect(JSON.parse(stdout)).toEqual({ seq: 7, results: 2, failure: null });
  });

  it('runs `npx withdrawals --version` with plain Node, printing the package version', async () => {
    const { stdout } = await inConsumer('npx', ['--no', '--', 'withdrawals', '--version']);
    expect(stdout.trim()).toBe(pkg.version);
  });
});
