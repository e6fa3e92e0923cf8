/**
 * Per-caller budgets against two running API processes sharing one Redis prefix: a token's requests
 * per second are counted across both, a token's requests in flight are capped per process, and a
 * source that sends too many wrong tokens is turned away, its right tokens included.
 */
import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authWindowKey, tokenWindowKey } from '../../src/api/rate-limit.ts';
import { createKeys } from '../../src/keys.ts';
import { redisUrl } from '../support/redis.ts';
import { eventually, startPipeline, TEST_TOKEN, type Pipeline } from '../support/pipeline.ts';

const PER_S = 4;
const CONCURRENT = 2;
const FAILURES = 3;
const env = { API_RATE_LIMIT_PER_S: String(PER_S), API_MAX_CONCURRENT_PER_TOKEN: String(CONCURRENT), API_AUTH_FAILURES_PER_MIN: String(FAILURES) };

let a: Pipeline;
let b: Pipeline;
let redis: Redis;
beforeAll(async () => {
  a = await startPipeline({ workers: false, env });
  b = await startPipeline({ workers: false, env: { ...env, QUEUE_PREFIX: a.config.QUEUE_PREFIX } });
  redis = new Redis(redisUrl());
});
afterAll(async () => {
  redis?.disconnect();
  await b?.close();
  await a?.close();
});

interface Answer {
  status: number;
  retryAfter: string | null;
  body: any;
}

async function get(p: Pipeline, path: string, token = TEST_TOKEN): Promise<Answer> {
  const res = await fetch(`${p.baseUrl}${path}`, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, retryAfter: res.headers.get('retry-after'), body: await res.json() };
}

const keys = () => createKeys(a.config.QUEUE_PREFIX);

/** Waits until the token's window is over, so that the next request starts a fresh one. */
async function freshWindow(): Promise<void> {
  await eventually(async () => ((await redis.exists(tokenWindowKey(keys(), TEST_TOKEN))) === 0 ? true : undefined), 5000, 'the window to end');
}

describe('API_RATE_LIMIT_PER_S', () => {
  it('counts a token across API processes: past the limit 429 rate_limited with Retry-After, then served again', async () => {
    // The window starts with its first request; a burst counts only when it all landed in one window.
    // One request at a time: the in-flight cap (CONCURRENT per process) never binds, so every 429 is the window's.
    for (let attempt = 0; ; attempt++) {
      await freshWindow();
      const answers: Answer[] = [];
      for (let i = 0; i < 10; i++) answers.push(await get(i % 2 ? a : b, '/v1/withdrawals/rate-1'));
      if (Number(await redis.get(tokenWindowKey(keys(), TEST_TOKEN))) !== 10 && attempt < 30) continue;
      const served = answers.filter((r) => r.status === 404);
      const limited = answers.filter((r) => r.status === 429);
      expect(served).toHaveLength(PER_S);
      expect(limited).toHaveLength(10 - PER_S);
      for (const r of limited) {
        expect(r.retryAfter).toBe('1');
        expect(r.body.error.code).toBe('rate_limited');
      }
      break;
    }
    await freshWindow();
    expect((await get(a, '/v1/withdrawals/rate-1')).status).toBe(404);
  });
});

/** Starts an NDJSON batch whose body never ends: the request stays in flight until `end()`. */
function openUpload(p: Pipeline, batchId: string): { end(): Promise<number> } {
  let status = Promise.resolve(0);
  const req = request(`${p.baseUrl}/v1/batches?id=${batchId}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'application/x-ndjson', 'transfer-encoding': 'chunked' },
  });
  status = new Promise((resolve, reject) => {
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
  });
  req.write('\n');
  return {
    end() {
      req.end();
      return status;
    },
  };
}

describe('API_MAX_CONCURRENT_PER_TOKEN', () => {
  it("caps a token's requests in flight in one process; the next one is 429 until one ends", async () => {
    await freshWindow();
    const uploads = [openUpload(a, 'slow-1'), openUpload(a, 'slow-2')];
    // Both uploads are past the guard once their batches exist.
    await eventually(async () => ((await redis.exists(keys().batch('slow-1'), keys().batch('slow-2'))) === 2 ? true : undefined), 5000, 'both uploads in flight');
    await freshWindow();
    const refused = await get(a, '/v1/withdrawals/busy-1');
    expect(refused.status).toBe(429);
    expect(refused.body.error).toMatchObject({ code: 'rate_limited' });
    expect(refused.body.error.message).toContain('API_MAX_CONCURRENT_PER_TOKEN');
    expect(refused.retryAfter).toBe('1');
    // Counted per process: the other one serves the same token.
    expect((await get(b, '/v1/withdrawals/busy-1')).status).toBe(404);
    for (const u of uploads) expect(await u.end()).toBe(400);
    await freshWindow();
    expect((await get(a, '/v1/withdrawals/busy-1')).status).toBe(404);
  });
});

describe('API_AUTH_FAILURES_PER_MIN', () => {
  it('answers 401 to the first wrong tokens of a source, then 429 to everything it sends, right tokens included, on every process', async () => {
    await freshWindow();
    for (let i = 0; i < FAILURES; i++) expect((await get(i % 2 ? a : b, '/v1/withdrawals/x', `wrong-token-${i}-0000000`)).status).toBe(401);
    const blocked = await get(a, '/v1/withdrawals/x', 'wrong-token-x-0000000');
    expect(blocked.status).toBe(429);
    expect(blocked.body.error.code).toBe('rate_limited');
    expect(Number(blocked.retryAfter)).toBeGreaterThanOrEqual(1);
    expect(Number(blocked.retryAfter)).toBeLessThanOrEqual(60);
    expect((await get(b, '/v1/withdrawals/x')).status).toBe(429);
    // Health, readiness and metrics need no token and stay open.
    expect((await fetch(`${a.baseUrl}/healthz`)).status).toBe(200);
    // The minute over (here: its key removed), the source is served again.
    await redis.del(authWindowKey(keys(), '127.0.0.1'));
    expect((await get(b, '/v1/withdrawals/x')).status).toBe(404);
  });

  it('does not count requests without a token', async () => {
    for (let i = 0; i < FAILURES + 2; i++) expect((await fetch(`${a.baseUrl}/v1/withdrawals/x`)).status).toBe(401);
    expect((await get(a, '/v1/withdrawals/x')).status).toBe(404);
  });
});

describe('API_MAX_CONNECTIONS', () => {
  /** A connection that has been answered once (so the server counts it), kept open. */
  function openConnection(p: Pipeline): Promise<{ socket: Socket; answered: boolean }> {
    return new Promise((resolve) => {
      const socket = connect(Number(new URL(p.baseUrl).port), '127.0.0.1');
      let got = '';
      socket.on('data', (c: Buffer) => {
        got += c.toString('utf8');
        if (got.includes('\r\n\r\n')) resolve({ socket, answered: true });
      });
      socket.on('close', () => resolve({ socket, answered: false }));
      socket.on('error', () => undefined);
      socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n');
    });
  }

  it('closes the connections past the cap as they arrive, and takes new ones once others closed', async () => {
    const c = await startPipeline({ workers: false, env: { API_MAX_CONNECTIONS: '2' } });
    try {
      const kept = [await openConnection(c), await openConnection(c)];
      expect(kept.map((k) => k.answered)).toEqual([true, true]);
      const third = await openConnection(c);
      expect(third.answered).toBe(false);
      kept[0]?.socket.destroy();
      await eventually(async () => ((await openConnection(c)).answered ? true : undefined), 5000, 'a connection taken again');
      for (const k of kept) k.socket.destroy();
    } finally {
      await c.close();
    }
  });
});
