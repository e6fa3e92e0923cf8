/**
 * Redis's own time per script call of the store's hot path, one call at a time against a private
 * Redis: `node bin/run-ts.js bench/transition-cost.ts [--n 3000]`. Creates N withdrawals of one
 * batch (64 to a create.lua call), then moves each queued -> submitting -> succeeded, and prints
 * INFO commandstats' µs per call of evalsha for each step.
 */
import { Redis } from 'ioredis';
import { createKeys } from '../src/keys.ts';
import { createStore } from '../src/withdrawals/store.ts';
import { BUILTIN_PROVIDER_NAMES } from '../src/providers/index.ts';
import { startRedisServer } from '../src/demo/redis-server.ts';
import { commandCalls, commandMicros } from './redis-stats.ts';

const n = Number(process.argv[process.argv.indexOf('--n') + 1]) || 3000;
const server = await startRedisServer(['--hash-max-listpack-value', '1024']);
const redis = new Redis(server.url);
const keys = createKeys('tc');
const store = createStore({ redis, keys, eventsMaxLen: 10_000, historyRetentionMs: 1000, providers: BUILTIN_PROVIDER_NAMES });

async function timed(label: string, run: () => Promise<unknown>): Promise<void> {
  await redis.config('RESETSTAT');
  await run();
  const bytesIn = Number(/total_net_input_bytes:(\d+)/.exec(await redis.info('stats'))?.[1] ?? 0);
  const micros = await commandMicros(redis);
  const calls = await commandCalls(redis);
  const evalsha = micros.evalsha ?? 0;
  const total = Object.entries(calls).filter(([k]) => k !== 'info' && k !== 'config|resetstat').reduce((a, [, v]) => a + v, 0);
  console.log(`${label}: evalsha ${(evalsha / (calls.evalsha ?? 1)).toFixed(1)} µs per call, ${(evalsha / n).toFixed(1)} µs per withdrawal; commands per withdrawal ${(total / n).toFixed(1)}; bytes sent per withdrawal ${(bytesIn / n).toFixed(0)}`);
}

const ids = Array.from({ length: n }, (_, i) => `w${i}`);
await timed('create', () =>
  Promise.all(ids.map((id) => store.create({ id, owner: 'shop', provider: 'turinpay', bodyHash: 'h'.repeat(64), invoice: `lnbcrt${'x'.repeat(300)}${id}`, address: null, paymentHash: id.padStart(64, '0'), amountMsat: 1000n, sendAmountMsat: null, batchId: 'b1', description: null, metadata: null, reconcileDeadline: Date.now() + 3_600_000, expiresAt: Date.now() + 3_600_000 }))),
);
const known = { provider: 'turinpay', batchId: 'b1' };
await timed('fence', async () => {
  for (const id of ids) await store.transition(id, { known, provider: 'turinpay', from: 'queued', to: 'submitting', newFence: `f-${id}`, countAttempt: true, change: { reconcileDeadline: Date.now() + 3_600_000 }, cause: 'submit attempt via turinpay (job x, try 1)' });
});
await timed('outcome', async () => {
  for (const id of ids) await store.transition(id, { known, from: 'submitting', to: 'succeeded', fence: `f-${id}`, change: { providerRef: id.padStart(64, '0'), feeMsat: 1000n, failure: null }, cause: 'paid at submit (turinpay)' });
});
redis.disconnect();
await server.stop();
