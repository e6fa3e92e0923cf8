import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, loadConfig as loadOwnConfig } from '../../src/config.ts';
import { BUILTIN_PROVIDER_NAMES, builtinProviders, defineProvider } from '../../src/providers/index.ts';
import { checkOperatorQuorum, operatorCount } from '../../src/settings/index.ts';
import { loadConfig, loadSettings, providerSettings } from '../support/builtin-settings.ts';
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
      PROVIDER_TIMEOUT_MS: 15000,
      SETTLE_POLL_MS: 200,
      LOG_LEVEL: 'info',
      API_TOKENS: [],
      providerVariables: {
        AURPAY_BASE_URL: 'https://dashboard.aurpay.net',
        TURINPAY_BASE_URL: 'https://api.turinpay.com',
        AURPAY_API_KEY: null,
        TURINPAY_API_KEY: null,
      },
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

  it('reads API_TOKENS as producers: a bare token belongs to the producer default', () => {
    expect(loadConfig({ API_TOKENS: 'shop=abcdefgh12345678,zzzzzzzzzzzzzzzz' }).API_TOKENS).toEqual([
      { name: 'shop', token: 'abcdefgh12345678', role: 'producer' },
      { name: 'default', token: 'zzzzzzzzzzzzzzzz', role: 'producer' },
    ]);
  });

  it('reads OPERATOR_TOKENS as operators, and refuses one token in both lists or a name with odd characters', () => {
    expect(loadConfig({ OPERATOR_TOKENS: 'alice=operator-token-1' }).OPERATOR_TOKENS).toEqual([{ name: 'alice', token: 'operator-token-1', role: 'operator' }]);
    expect(() => loadConfig({ API_TOKENS: 'a=same-token-000001', OPERATOR_TOKENS: 'b=same-token-000001' })).toThrow(/listed twice/);
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

describe('token rules', () => {
  const thrownBy = (load: () => unknown): unknown => {
    try {
      load();
    } catch (err) {
      return err;
    }
    throw new Error('nothing was thrown');
  };

  it.each([
    ['API_TOKENS', 'shop=fifteen-chars-x'],
    ['API_TOKENS', 'bare-token-15ch'],
    ['OPERATOR_TOKENS', 'ana=ana-token-00001'],
    ['OPERATOR_TOKENS', 'ana=operator-token-1,ben=ben-token-0001'],
  ])('refuses %s with a token shorter than 16 characters (%s), naming the variable and never the token', (variable, value) => {
    const token = value.split(',').map((e) => e.slice(e.indexOf('=') + 1)).find((t) => t.length < 16) ?? '';
    expect(token.length).toBeLessThan(16);
    const err = thrownBy(() => loadConfig({ [variable]: value }));
    expect(err).toBeInstanceOf(ConfigError);
    expect(String(err)).toMatch(new RegExp(`^ConfigError: invalid configuration:\\n  ${variable}: .*at least 16 characters$`));
    expect(String(err)).not.toContain(token);
  });

  it('accepts a token of exactly 16 characters and refuses one of 15', () => {
    expect(loadConfig({ API_TOKENS: `shop=${'x'.repeat(16)}` }).API_TOKENS).toHaveLength(1);
    expect(() => loadConfig({ API_TOKENS: `shop=${'x'.repeat(15)}` })).toThrow(ConfigError);
    expect(loadConfig({ OPERATOR_TOKENS: `ops=${'y'.repeat(16)}` }).OPERATOR_TOKENS).toHaveLength(1);
    expect(() => loadConfig({ OPERATOR_TOKENS: `ops=${'y'.repeat(15)}` })).toThrow(ConfigError);
  });

  it("lower-cases operators' names: Ana and ana are two tokens of the one operator ana", () => {
    const { OPERATOR_TOKENS } = loadConfig({ OPERATOR_TOKENS: 'Ana=ana-token-000001,ana=ana-token-000002,BEN=ben-token-000001' });
    expect(OPERATOR_TOKENS).toEqual([
      { name: 'ana', token: 'ana-token-000001', role: 'operator' },
      { name: 'ana', token: 'ana-token-000002', role: 'operator' },
      { name: 'ben', token: 'ben-token-000001', role: 'operator' },
    ]);
    expect(operatorCount(loadConfig({ OPERATOR_TOKENS: 'Ana=ana-token-000001,ana=ana-token-000002' }))).toBe(1);
  });

  it("keeps producers' names as written: they own records", () => {
    expect(loadConfig({ API_TOKENS: 'Shop=shop-token-000001' }).API_TOKENS[0]?.name).toBe('Shop');
  });

  it.each([
    ['shop=shop-token-000001', 'shop=ops-token-0000001', 'shop'],
    ['Shop=shop-token-000001', 'shop=ops-token-0000001', 'shop'],
    ['shop=shop-token-000001', 'SHOP=ops-token-0000001', 'shop'],
    ['bare-producer-token-1', 'default=ops-token-0000001', 'default'],
    ['bare-producer-token-1', 'Default=ops-token-0000001', 'default'],
    ['operator=shop-token-000001', 'bare-operator-token-1', 'operator'],
  ])('refuses a name in both lists (API_TOKENS=%s, OPERATOR_TOKENS=%s), naming both variables and the name', (producers, operators, name) => {
    expect(() => loadConfig({ API_TOKENS: producers, OPERATOR_TOKENS: operators })).toThrow(
      new RegExp(`^invalid configuration:\\n  API_TOKENS, OPERATOR_TOKENS: the name "${name}" is both a producer's and an operator's`),
    );
  });

  it('accepts distinct names in the two lists', () => {
    const config = loadConfig({ API_TOKENS: 'shop=shop-token-000001,bare-producer-token-1', OPERATOR_TOKENS: 'ana=ana-token-000001,bare-operator-token-1' });
    expect(config.API_TOKENS.map((t) => t.name)).toEqual(['shop', 'default']);
    expect(config.OPERATOR_TOKENS.map((t) => t.name)).toEqual(['ana', 'operator']);
  });
});

describe('operators enough for APPROVALS_REQUIRED (checkOperatorQuorum, for start and api)', () => {
  const operators = (...names: string[]) => names.map((n, i) => `${n}=${n}-operator-token-${i}`).join(',');
  const check = (env: Record<string, string>) => () => checkOperatorQuorum(loadConfig(env));

  it('refuses fewer distinct operators than APPROVALS_REQUIRED when APPROVAL_THRESHOLD_MSAT holds withdrawals', () => {
    const env = { APPROVAL_THRESHOLD_MSAT: '1000', APPROVALS_REQUIRED: '3', OPERATOR_TOKENS: operators('ana', 'ben') };
    expect(check(env)).toThrow(/^invalid configuration:\n  APPROVALS_REQUIRED, OPERATOR_TOKENS: .*needs 3 distinct operators' approvals, but OPERATOR_TOKENS names 2 distinct operators/);
    expect(check({ ...env, OPERATOR_TOKENS: operators('ana', 'ben', 'cy') })).not.toThrow();
  });

  it('counts two tokens of one operator, in any case, once', () => {
    const env = { APPROVAL_THRESHOLD_MSAT: '1000', APPROVALS_REQUIRED: '2' };
    expect(check({ ...env, OPERATOR_TOKENS: 'Ana=ana-token-000001,ana=ana-token-000002' })).toThrow(/names 1 distinct operator /);
    expect(check({ ...env, OPERATOR_TOKENS: 'Ana=ana-token-000001,ben=ben-token-000001' })).not.toThrow();
  });

  it('checks nothing when no withdrawal can wait for approval', () => {
    expect(check({ APPROVALS_REQUIRED: '5', OPERATOR_TOKENS: operators('ana') })).not.toThrow();
  });

  it('refuses ALLOW_ONCHAIN=true with fewer than max(2, APPROVALS_REQUIRED) + 1 distinct operators', () => {
    const onchain = { ALLOW_ONCHAIN: 'true' };
    expect(check({ ...onchain, OPERATOR_TOKENS: operators('ana', 'ben') })).toThrow(
      /^invalid configuration:\n  ALLOW_ONCHAIN, APPROVALS_REQUIRED, OPERATOR_TOKENS: an on-chain withdrawal needs 2 approvals .* so 3 operators, but OPERATOR_TOKENS names 2/,
    );
    expect(check({ ...onchain, OPERATOR_TOKENS: operators('ana', 'ben', 'cy') })).not.toThrow();
    expect(check({ ...onchain, APPROVALS_REQUIRED: '3', OPERATOR_TOKENS: operators('ana', 'ben', 'cy') })).toThrow(/needs 3 approvals .* so 4 operators/);
    expect(check({ ...onchain, APPROVALS_REQUIRED: '3', OPERATOR_TOKENS: operators('ana', 'ben', 'cy', 'dee') })).not.toThrow();
    expect(check({ ALLOW_ONCHAIN: 'false', OPERATOR_TOKENS: operators('ana') })).not.toThrow();
  });

  it('leaves a process without operators to start (a worker, the library, an API serving producers alone)', () => {
    const env = { APPROVAL_THRESHOLD_MSAT: '1000', APPROVALS_REQUIRED: '4', ALLOW_ONCHAIN: 'true', API_TOKENS: 'shop=shop-token-000001' };
    expect(check(env)).not.toThrow();
    // What every command loads (worker, batch, status) does not check it either, operators or not.
    expect(() => loadSettings({ ...env, OPERATOR_TOKENS: operators('ana') })).not.toThrow();
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
    const own = loadOwnConfig({ AURPAY_API_KEY: 'k-1' });
    expect('AURPAY_API_KEY' in own).toBe(false);
    expect(own.providerVariables).toEqual({});
    expect(loadConfig({ AURPAY_API_KEY: 'k-1' }).providerVariables.AURPAY_API_KEY).toBe('k-1');
    const config = loadConfig({ ACME_TOKEN: 't-1' }, [...builtinProviders, acme]);
    expect(config.providerVariables).toMatchObject({ ACME_TOKEN: 't-1', ACME_RETRIES: 3, AURPAY_API_KEY: null });
    // Apart from the service's own: a provider's variable is no field of the configuration.
    expect('ACME_TOKEN' in config).toBe(false);
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
