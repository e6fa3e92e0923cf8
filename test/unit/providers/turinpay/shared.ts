import type { Dispatcher } from 'undici';
import { afterEach } from 'vitest';
import { createTurinpayClient, type TurinpayClientOptions } from '../../../../src/providers/turinpay/index.ts';
import type { ProviderClient } from '../../../../src/providers/types.ts';
import { mockOrigin } from '../helpers/mock.ts';

export const ORIGIN = 'http://turinpay.test';
export const API_KEY = 'tp_key_SECRET_0f3a9';
export const NOW = new Date('2026-03-01T10:00:00.000Z');

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

export function onCleanup(fn: () => Promise<void>): void {
  cleanups.push(fn);
}

export function client(dispatcher: Dispatcher | undefined, extra: Partial<TurinpayClientOptions> = {}, baseUrl = ORIGIN): ProviderClient {
  const c = createTurinpayClient({
    baseUrl,
    apiKey: API_KEY,
    network: 'testnet',
    timeoutMs: 200,
    now: () => NOW,
    ...(dispatcher ? { dispatcher } : {}),
    ...extra,
  });
  cleanups.push(async () => c.close?.());
  return c;
}

export interface Sent {
  path: string;
  body: string;
  headers: Record<string, string>;
}

/** A MockAgent answering one request on `path`; returns what was sent. */
export function answer(method: 'GET' | 'POST', path: string, status: number, body: unknown, headers: Record<string, string> = {}) {
  const { agent, pool } = mockOrigin(ORIGIN);
  cleanups.push(() => agent.close());
  const sent: Sent[] = [];
  pool.intercept({ path, method }).reply((opts) => {
    sent.push({ path: opts.path, body: String(opts.body), headers: Object.fromEntries(Object.entries(opts.headers ?? {})) });
    return { statusCode: status, data: typeof body === 'string' ? body : JSON.stringify(body), responseOptions: { headers } };
  });
  return { agent, pool, sent };
}
