/** The built-in provider definitions: what each can do, when it is enabled, how the sandbox serves it. */
import { describe, expect, it } from 'vitest';
import { aurpay, BUILTIN_PROVIDER_NAMES, builtinProviders, sandboxVariables, turinpay } from '../../../src/providers/index.ts';
import { loadConfig as loadServiceConfig, providerLimits, providerSettings } from '../../support/builtin-settings.ts';

describe('the built-in provider definitions', () => {
  it('are aurpay then turinpay, each with the capabilities its API has', () => {
    expect(BUILTIN_PROVIDER_NAMES).toEqual(['aurpay', 'turinpay']);
    expect(aurpay.capabilities).toEqual({ amountlessInvoices: true, onchain: false, settlesOnSubmit: false });
    expect(turinpay.capabilities).toEqual({ amountlessInvoices: false, onchain: true, settlesOnSubmit: true });
    expect(builtinProviders.map((d) => d.keyVariable)).toEqual(['AURPAY_API_KEY', 'TURINPAY_API_KEY']);
  });

  it('are disabled without their API key, and map their variables to client settings with one', () => {
    expect(providerSettings(loadServiceConfig({}))).toEqual([]);
    const config = loadServiceConfig({ AURPAY_API_KEY: 'a-key', AURPAY_API_SECRET: 'a-secret', TURINPAY_API_KEY: 't-key', LN_NETWORK: 'regtest', PROVIDER_TIMEOUT_MS: '2000' });
    expect(providerSettings(config).map((s) => [s.definition.name, s.settings])).toEqual([
      [
        'aurpay',
        { baseUrl: 'https://dashboard.aurpay.net', apiKey: 'a-key', apiSecret: 'a-secret', apiToken: null, timeoutMs: 2000, lookupPageSize: 100, lookupMaxPages: 10 },
      ],
      ['turinpay', { baseUrl: 'https://api.turinpay.com', apiKey: 't-key', network: 'regtest', timeoutMs: 2000 }],
    ]);
  });

  it('take their worker limits from their own variables', () => {
    expect(providerLimits(loadServiceConfig({ AURPAY_CONCURRENCY: '3', TURINPAY_RATE_LIMIT_PER_S: '7' }))).toEqual({
      aurpay: { ratePerS: 0, concurrency: 3 },
      turinpay: { ratePerS: 7 },
    });
  });

  it('point their variables at a sandbox', () => {
    const sandbox = { aurpayUrl: 'http://127.0.0.1:1', turinpayUrl: 'http://127.0.0.1:2' };
    expect(sandboxVariables(builtinProviders, sandbox, (name) => `${name}-key`)).toEqual({
      AURPAY_BASE_URL: 'http://127.0.0.1:1',
      AURPAY_API_KEY: 'aurpay-key',
      TURINPAY_BASE_URL: 'http://127.0.0.1:2',
      TURINPAY_API_KEY: 'turinpay-key',
    });
  });
});
