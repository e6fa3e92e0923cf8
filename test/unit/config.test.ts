import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, loadConfig as loadOwnConfig } from '../../src/config.ts';
import { BUILTIN_PROVIDER_NAMES, builtinProviders, defineProvider } from '../../src/providers/index.ts';
import { loadServiceConfig as loadConfig, loadSettings, providerSettings } from '../../src/settings/index.ts';
import { defaultValidationThreads } from '../../src/withdrawals/validation/default-threads.ts';

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      REDIS_URL: 'redis://127.0.0.1:6379',
      QUEUE_PREFIX: 'wd',
      HOST: '127.0.0.1',
      PORT: 3000,
      LN_NETWORK: 'bitcoin',
      AURPAY_BASE_URL: 'https://dashboard.aurpay.net',
      TURINPAY_BASE_URL: 'https://api.turinpay.com',
      PROVIDER_TIMEOUT_MS: 15000,
      SETTLE_POLL_MS: 5000,
      LOG_LEVEL: 'info',
      AURPAY_API_KEY: null,
      TURINPAY_API_KEY: null,
      API_TOKENS: [],
    });
  });

  it.each([
    ['PORT', 'eighty'],
    ['LN_NETWORK', 'mainnet'],
    ['REDIS_URL', 'http://localhost'],
    ['PROVIDER_TIMEOUT_MS', '-5'],
    ['AURPAY_BASE_URL', 'not a url'],
    ['QUEUE_PREFIX', 'has space'],
    ['LOG_LEVEL', 'loud'],
    ['MAX_AMOUNT_MSAT', '1.5'],
    ['MAX_BATCH_AMOUNT_MSAT', '2100000000000000001'],
    ['APPROVAL_THRESHOLD_MSAT', '1.5'],
    ['APPROVALS_REQUIRED', '0'],
    ['LIMIT_DAILY_AMOUNT_MSAT', '-1'],
    ['LIMIT_DAILY_COUNT', '0'],
    ['AUTO_PROVIDER_ORDER', 'aurpay,aurpay'],
    ['AUTO_PROVIDER_ORDER', ' , '],
    ['VALIDATION_THREADS', '65'],
  ])('refuses %s=%s with a message naming the variable', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`${name}:`));
  });

  it('takes AUTO_PROVIDER_ORDER as names; building the settings refuses a name that is no provider, naming the variable', () => {
    expect(loadConfig({ AUTO_PROVIDER_ORDER: 'paypal' }).AUTO_PROVIDER_ORDER).toEqual(['paypal']);
    expect(() => loadSettings({ AUTO_PROVIDER_ORDER: 'paypal' })).toThrow(ConfigError);
    expect(() => loadSettings({ AUTO_PROVIDER_ORDER: 'turinpay, paypal' })).toThrow(/^invalid configuration:\n  AUTO_PROVIDER_ORDER: must list providers among aurpay, turinpay$/);
    expect(loadSettings({ AUTO_PROVIDER_ORDER: 'turinpay, aurpay' }).enqueue.checks.routeOrder).toEqual(['turinpay', 'aurpay']);
  });

  it('orders auto routing by every provider when AUTO_PROVIDER_ORDER is unset', () => {
    expect(loadConfig({}).AUTO_PROVIDER_ORDER).toBeNull();
    expect(loadSettings({}).enqueue.checks.routeOrder).toEqual([...BUILTIN_PROVIDER_NAMES]);
  });

  it('leaves VALIDATION_THREADS null when unset; the settings apply its default (one thread per core beyond the first, at most 4)', () => {
    expect(loadConfig({}).VALIDATION_THREADS).toBeNull();
    expect(loadSettings({}).validationThreads).toBe(defaultValidationThreads());
    expect(loadSettings({ VALIDATION_THREADS: '0' }).validationThreads).toBe(0);
    expect(loadSettings({ VALIDATION_THREADS: '7' }).validationThreads).toBe(7);
  });

  it('reads API_TOKENS as producers: a bare token belongs to the producer default; short tokens are refused', () => {
    expect(loadConfig({ API_TOKENS: 'shop=abcdefgh123,zzzzzzzzzz' }).API_TOKENS).toEqual([
      { name: 'shop', token: 'abcdefgh123', role: 'producer' },
      { name: 'default', token: 'zzzzzzzzzz', role: 'producer' },
    ]);
    expect(() => loadConfig({ API_TOKENS: 'short' })).toThrow(/API_TOKENS/);
  });

  it('reads OPERATOR_TOKENS as operators, and refuses one token in both lists or a name with odd characters', () => {
    expect(loadConfig({ OPERATOR_TOKENS: 'alice=operator-token-1' }).OPERATOR_TOKENS).toEqual([{ name: 'alice', token: 'operator-token-1', role: 'operator' }]);
    expect(() => loadConfig({ API_TOKENS: 'a=same-token-1', OPERATOR_TOKENS: 'b=same-token-1' })).toThrow(/listed twice/);
    expect(() => loadConfig({ OPERATOR_TOKENS: 'al ice=operator-token-1' })).toThrow(/OPERATOR_TOKENS/);
  });

  it('never puts a secret value in its error message', () => {
    try {
      loadConfig({ AURPAY_API_KEY: 'super-secret-key', PORT: 'x' });
      expect.unreachable();
    } catch (err) {
      expect(String(err)).not.toContain('super-secret-key');
    }
  });
});

describe("the providers' variables", () => {
  const acme = defineProvider({
    name: 'acme',
    label: 'Acme',
    capabilities: { amountlessInvoices: false, onchain: false, settlesOnSubmit: false },
    keyVariable: 'ACME_TOKEN',
    configSchema: z.object({ ACME_TOKEN: z.string().optional(), ACME_RETRIES: z.coerce.number().int().min(0).default(3) }),
    settings: (v) => (v.ACME_TOKEN ? { token: v.ACME_TOKEN, retries: v.ACME_RETRIES, timeoutMs: v.PROVIDER_TIMEOUT_MS } : null),
    create: () => {
      throw new Error('not called here');
    },
  });

  it("reads only the service's own variables without provider schemas, and each definition's own with them", () => {
    expect('AURPAY_API_KEY' in loadOwnConfig({ AURPAY_API_KEY: 'k-1' })).toBe(false);
    expect(loadConfig({ AURPAY_API_KEY: 'k-1' }).AURPAY_API_KEY).toBe('k-1');
    const config = loadConfig({ ACME_TOKEN: 't-1' }, [...builtinProviders, acme]);
    expect(config).toMatchObject({ ACME_TOKEN: 't-1', ACME_RETRIES: 3, AURPAY_API_KEY: null });
  });

  it("refuses a bad value of a provider's variable, naming it, with the service's own problems", () => {
    expect(() => loadConfig({ ACME_RETRIES: '-1', PORT: 'x' }, [acme])).toThrow(/^invalid configuration:\n {2}PORT: .*\n {2}ACME_RETRIES: /);
  });

  it('maps each enabled definition to its settings, a provider without its key left out', () => {
    const enabled = providerSettings(loadConfig({ ACME_TOKEN: 't-1', PROVIDER_TIMEOUT_MS: '2000' }, [...builtinProviders, acme]), [...builtinProviders, acme]);
    expect(enabled.map((s) => [s.definition.name, s.settings])).toEqual([['acme', { token: 't-1', retries: 3, timeoutMs: 2000 }]]);
  });

  it('refuses to build settings from a configuration loaded without the provider', () => {
    expect(() => providerSettings(loadConfig({}), [acme])).toThrow(/without provider acme's variables \(ACME_TOKEN, ACME_RETRIES\)/);
  });
});
