#!/usr/bin/env node
// `npm run build` (and `prepare`, so `npm install` in a checkout builds): compiles src/ and workers/
// into dist/ with tsc, copies the files read at run time beside the code that reads them (Lua
// scripts, the validation thread's entry), and removes outputs whose source is gone.
//
// Cheap when nothing changed, as the test set-up runs it before every test run: a hash of every
// input (sources, tsconfigs, lock file, this script) is kept in dist/.build-stamp, and a build whose
// inputs hash the same does nothing. Otherwise tsc runs incrementally (dist/.tsbuildinfo) and
// rewrites only the files that changed, so processes running from dist/ meanwhile are not
// disturbed. One build at a time: builds started together (test runs, `npm pack`) wait for each
// other on a lock directory.
//
//   --keep-going   type errors are reported but do not fail the build (tsc still emits every file):
//                  `prepare` and the test set-up use it, so that a type error fails
//                  `npm run typecheck` rather than `npm install` or every test.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const outDir = join(root, 'dist');
/** Folders compiled, as tsconfig.build.json's `include` says; dist/ mirrors them. */
const SOURCES = ['src', 'workers'];
/** Inputs besides the sources: a change to any of them rebuilds. */
const INPUTS = ['tsconfig.json', 'tsconfig.build.json', 'package-lock.json', 'bin/build.js'];
const LOCK = join(outDir, '.build-lock');
const STAMP = join(outDir, '.build-stamp');
const keepGoing = process.argv.includes('--keep-going');

/** Every file under `base`/`dir`, as a path relative to `base` (none if the folder does not exist). */
function walk(base, dir) {
  if (!existsSync(join(base, dir))) return [];
  return readdirSync(join(base, dir), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(base, join(e.parentPath, e.name)));
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
}

/** Takes the build lock, waiting for another build to finish; a lock left by a dead build is taken over. */
async function lock() {
  mkdirSync(outDir, { recursive: true });
  const deadline = Date.now() + 300_000;
  for (;;) {
    try {
      mkdirSync(LOCK);
      writeFileSync(join(LOCK, 'pid'), String(process.pid));
      return;
    } catch (err) {
      if (err.code !== 'EEXIST') throw err;
    }
    let holder = NaN;
    try {
      holder = Number(readFileSync(join(LOCK, 'pid'), 'utf8'));
    } catch {
      // Just created, pid not written yet: stale only if it has stayed so for a while.
      if (Date.now() - statSync(LOCK, { throwIfNoEntry: false })?.mtimeMs > 10_000) holder = 0;
    }
    if (holder === 0 || (Number.isInteger(holder) && holder > 0 && !alive(holder))) rmSync(LOCK, { recursive: true, force: true });
    else if (Date.now() > deadline) throw new Error(`another build (${LOCK}) has held the lock for 5 minutes`);
    else await new Promise((r) => setTimeout(r, 100));
  }
}

/** A hash of every input's path and content. */
function fingerprint() {
  const hash = createHash('sha256');
  for (const file of [...INPUTS, ...SOURCES.flatMap((d) => walk(root, d))].sort()) {
    hash.update(`${file}\0`).update(readFileSync(join(root, file))).update('\0');
  }
  return hash.digest('hex');
}

/** Whether dist/ was built from exactly these inputs (and, unless --keep-going, without type errors). */
function upToDate(inputs) {
  try {
    const stamp = JSON.parse(readFileSync(STAMP, 'utf8'));
    return stamp.inputs === inputs && (keepGoing || !stamp.typeErrors);
  } catch {
    return false;
  }
}

/** Runs tsc; returns whether it reported type errors (only with --keep-going: otherwise they throw). */
function compile() {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const res = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { cwd: root, stdio: 'inherit' });
  if (res.error) throw res.error;
  // 2: errors, every file emitted all the same; 1: errors and nothing emitted.
  if (res.status === 0) return false;
  if (res.status === 2 && keepGoing) {
    console.warn('build: type errors above; dist/ was emitted all the same (npm run typecheck fails on them)');
    return true;
  }
  throw new Error(res.status === 2 ? 'type errors (above)' : `tsc exited with ${res.status ?? res.signal}`);
}

/** Copies each non-TypeScript file of the sources to dist/, writing only what differs (atomically). */
function copyAssets() {
  for (const file of SOURCES.flatMap((d) => walk(root, d))) {
    if (file.endsWith('.ts')) continue;
    const from = join(root, file);
    const to = join(outDir, file);
    if (existsSync(to) && readFileSync(to).equals(readFileSync(from))) continue;
    mkdirSync(dirname(to), { recursive: true });
    copyFileSync(from, `${to}.${process.pid}.tmp`);
    renameSync(`${to}.${process.pid}.tmp`, to);
  }
}

/** Removes dist/ files whose source was deleted or renamed, so that nothing runs from them. */
function prune() {
  for (const file of SOURCES.flatMap((d) => walk(outDir, d))) {
    const source = file.replace(/\.d\.ts$|\.js$/, '.ts');
    if (!existsSync(join(root, source)) && !existsSync(join(root, file))) unlinkSync(join(outDir, file));
  }
}

await lock();
try {
  // Hashed before compiling: a file edited during the build makes the next build run again.
  const inputs = fingerprint();
  if (!upToDate(inputs)) {
    rmSync(STAMP, { force: true });
    const typeErrors = compile();
    copyAssets();
    prune();
    writeFileSync(STAMP, JSON.stringify({ inputs, typeErrors }));
  }
} catch (err) {
  console.error(`build failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
} finally {
  rmSync(LOCK, { recursive: true, force: true });
}
