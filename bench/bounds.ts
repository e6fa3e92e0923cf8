/**
 * What one producer's valid requests can do to everyone else, measured against a running service
 * (`withdrawals start --sandbox` on a private port): a 128 MiB JSON batch and /healthz meanwhile,
 * 40 parallel event pages over withdrawals with 8 KiB metadata and the server's memory meanwhile,
 * and the time of a /metrics scrape. Prints one line per measure.
 *
 *   node ./bin/run-ts.js bench/bounds.ts [--n 2000] [--port 3901]
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { invoicePool } from './invoice-pool.ts';

const { values } = parseArgs({ options: { n: { type: 'string', default: '2000' }, port: { type: 'string', default: '3901' } } });
const n = Number(values.n);
const base = `http://127.0.0.1:${values.port}`;
const ALICE = 'alice-bounds-token-000001';
const BOB = 'bob-bounds-token-00000001';
const OPS = 'ops-bounds-token-00000001';

const log = (msg: string) => console.log(`[bounds] ${msg}`);

const service = spawn(process.execPath, ['bin/withdrawals.js', 'start', '--sandbox'], {
  env: { ...process.env, PORT: values.port, API_TOKENS: `alice=${ALICE},bob=${BOB}`, OPERATOR_TOKENS: `ops=${OPS}`, LOG_LEVEL: 'warn', API_RATE_LIMIT_PER_S: '' },
  stdio: ['ignore', 'ignore', 'inherit'],
});

/** Resident memory of the service process, MiB. */
function rssMiB(): number {
  const status = readFileSync(`/proc/${service.pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

async function timed(url: string, init?: RequestInit): Promise<{ ms: number; status: number }> {
  const t0 = performance.now();
  const res = await fetch(url, init);
  await res.arrayBuffer();
  return { ms: performance.now() - t0, status: res.status };
}

const auth = (token: string) => ({ authorization: `Bearer ${token}` });

try {
  for (let i = 0; ; i++) {
    if (i > 120) throw new Error('the service did not become ready');
    try {
      if ((await fetch(`${base}/readyz`)).ok) break;
    } catch {
      /* not listening yet */
    }
    await sleep(500);
  }

  // 1. A 128 MiB JSON batch, streamed, while /healthz is asked every 20 ms.
  const total = 128 * 1024 * 1024;
  const chunk = Buffer.from(`{"id":"x","provider":"turinpay","invoice":"${'l'.repeat(900)}"},`);
  let sent = 0;
  /** Streams the body until the server answers (it may answer and close before the end): status and ms. */
  const postHuge = () =>
    new Promise<{ ms: number; status: number }>((resolve) => {
      const t0 = performance.now();
      const req = request(`${base}/v1/batches`, { method: 'POST', headers: { ...auth(ALICE), 'content-type': 'application/json' } });
      let answered = false;
      req.on('response', (res) => {
        answered = true;
        res.resume();
        resolve({ ms: performance.now() - t0, status: res.statusCode ?? 0 });
      });
      req.on('error', () => {
        if (!answered) resolve({ ms: performance.now() - t0, status: 0 });
      });
      const pump = () => {
        while (!answered && sent < total) {
          sent += chunk.length;
          if (!req.write(chunk)) return void req.once('drain', pump);
        }
        if (!answered) req.end(']}');
      };
      req.write('{"items":[');
      pump();
    });
  const probes: number[] = [];
  let posting = true;
  const probing = (async () => {
    while (posting) {
      probes.push((await timed(`${base}/healthz`)).ms);
      await sleep(20);
    }
  })();
  const big = await postHuge();
  posting = false;
  await probing;
  log(`128 MiB JSON batch: ${big.status} after ${big.ms.toFixed(0)} ms (${(sent / 1048576).toFixed(1)} MiB sent); /healthz meanwhile: ${probes.length} probes, max ${Math.max(...probes).toFixed(1)} ms`);

  // 2. Withdrawals with 8 KiB metadata, then 40 parallel event pages.
  const invoices = await invoicePool(n, log);
  const metadata = { note: 'm'.repeat(8 * 1024 - 20) };
  const ndjson = invoices.map((invoice, i) => JSON.stringify({ id: `bounds-${i}`, provider: 'turinpay', invoice, metadata })).join('\n');
  const posted = await timed(`${base}/v1/batches`, { method: 'POST', headers: { ...auth(ALICE), 'content-type': 'application/x-ndjson' }, body: ndjson });
  log(`NDJSON batch of ${n} with 8 KiB metadata: ${posted.status} in ${posted.ms.toFixed(0)} ms`);
  for (let i = 0; i < 240; i++) {
    const res = await fetch(`${base}/v1/withdrawals?status=succeeded&limit=1`, { headers: auth(OPS) });
    const page = (await res.json()) as { withdrawals: unknown[] };
    const events = (await (await fetch(`${base}/v1/events?limit=1000`, { headers: auth(OPS) })).json()) as { events: unknown[] };
    if (page.withdrawals.length > 0 && events.events.length >= Math.min(1000, n)) break;
    await sleep(500);
  }
  await sleep(2000);
  for (const [who, token] of [
    ['bob (none of the events are his)', BOB],
    ['alice (all of them are hers)', ALICE],
    ['an operator (every owner)', OPS],
  ] as const) {
    const before = rssMiB();
    let peak = before;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        peak = Math.max(peak, rssMiB());
        await sleep(25);
      }
    })();
    const pages = await Promise.all(Array.from({ length: 40 }, () => timed(`${base}/v1/events?limit=1000`, { headers: auth(token) })));
    sampling = false;
    await sampler;
    const ms = pages.map((p) => p.ms).sort((a, b) => a - b);
    log(`40 parallel /v1/events?limit=1000 pages by ${who}: RSS ${before.toFixed(0)} -> peak ${peak.toFixed(0)} MiB; page p50 ${ms[20]?.toFixed(0)} ms, max ${ms[39]?.toFixed(0)} ms`);
  }

  // 3. /metrics: 20 scrapes one after another.
  const scrapes: number[] = [];
  for (let i = 0; i < 20; i++) scrapes.push((await timed(`${base}/metrics`)).ms);
  scrapes.sort((a, b) => a - b);
  log(`/metrics: 20 scrapes, median ${scrapes[10]?.toFixed(1)} ms, max ${scrapes[19]?.toFixed(1)} ms`);
} finally {
  service.kill('SIGTERM');
  await new Promise((resolve) => service.once('exit', resolve));
}
