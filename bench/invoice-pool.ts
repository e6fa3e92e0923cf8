/**
 * Pre-generated invoices for the benchmark, cached in the temp directory keyed by their count:
 * signing 100,000 invoices takes a minute or two, which must not be part of any timing.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';

/** Long enough that a cached pool stays valid for weeks of runs. */
export const INVOICE_EXPIRY_S = 30 * 86_400;
const MAX_CACHE_AGE_MS = 25 * 86_400_000;

/** The amount of invoice number `i`: varied, 1,000 to 100,000 sat. */
export function benchAmountMsat(i: number): bigint {
  return BigInt(1000 + ((i * 7919) % 99_000)) * 1000n;
}

function run(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/run-ts.js', 'bench/invoice-gen.ts', ...args], { stdio: 'inherit' });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`invoice-gen exited with ${code}`))));
  });
}

/** `n` invoices (index i has amount benchAmountMsat(i)), from the cache or freshly signed. */
export async function invoicePool(n: number, log: (msg: string) => void): Promise<string[]> {
  const file = join(tmpdir(), `wd-bench-invoices-${n}.txt`);
  if (existsSync(file) && Date.now() - statSync(file).mtimeMs < MAX_CACHE_AGE_MS) {
    const lines = readFileSync(file, 'utf8').split('\n').filter((l) => l.length > 0);
    if (lines.length === n) return lines;
  }
  const parts = Math.max(1, Math.min(availableParallelism(), 8));
  const per = Math.ceil(n / parts);
  log(`signing ${n} invoices in ${parts} processes (cached in ${file} for later runs)`);
  const started = Date.now();
  const chunks = Array.from({ length: parts }, (_, k) => ({ from: k * per, count: Math.max(0, Math.min(per, n - k * per)), out: `${file}.${k}` }));
  await Promise.all(chunks.map((c) => run(['--from', String(c.from), '--count', String(c.count), '--out', c.out])));
  const all = chunks.flatMap((c) => readFileSync(c.out, 'utf8').split('\n').filter((l) => l.length > 0));
  for (const c of chunks) rmSync(c.out);
  if (all.length !== n) throw new Error(`invoice pool: expected ${n} invoices, got ${all.length}`);
  writeFileSync(`${file}.tmp`, `${all.join('\n')}\n`);
  renameSync(`${file}.tmp`, file);
  log(`signed ${n} invoices in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return all;
}
