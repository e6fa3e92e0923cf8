import type { Dispatcher } from 'undici';
import { afterEach } from 'vitest';
import { createAurpayClient, type AurpayClientOptions } from '../../../../src/providers/aurpay/index.ts';
import type { ProviderClient } from '../../../../src/providers/types.ts';

export const ORIGIN = 'http://aurpay.test';
export const API_KEY = 'ak_live_SECRETKEY_123';
export const NOW = new Date('2026-03-01T10:00:00.000Z');

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

export function onCleanup(fn: () => Promise<void>): void {
  cleanups.push(fn);
}

export function client(dispatcher: Dispatcher | undefined, extra: Partial<AurpayClientOptions> = {}, baseUrl = ORIGIN): ProviderClient {
  const c = createAurpayClient({ baseUrl, apiKey: API_KEY, timeoutMs: 200, now: () => NOW, ...(dispatcher ? { dispatcher } : {}), ...extra });
  cleanups.push(async () => c.close?.());
  return c;
}
