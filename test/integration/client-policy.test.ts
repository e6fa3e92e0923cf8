import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { ConfigError } from '../../src/config.ts';
import { createWithdrawalsClient, type WithdrawalsClient, type WithdrawalsClientOptions } from '../../src/index.ts';
import { builtinProviders } from '../../src/providers/index.ts';
import { clientConfig } from '../../src/settings/index.ts';
import { withdrawalBody } from '../support/invoices.ts';
import { deleteKeysUnder, redisUrl, uniquePrefix } from '../support/redis.ts';

const prefix = uniquePrefix('client-policy');
const base = { redisUrl: 'redis://127.0.0.1:6379' };

afterEach(() => {
  vi.unstubAllEnvs();
});
afterAll(() => deleteKeysUnder(redisUrl(), prefix));

/** A client under this file's prefix, as `producer` (each test its own: daily budgets are per producer). */
async function withClient<T>(options: Partial<WithdrawalsClientOptions> & { producer: string }, use: (client: WithdrawalsClient) => Promise<T>): Promise<T> {
  const client = await createWithdrawalsClient({ redisUrl: redisUrl(), prefix, network: 'regtest', ...options });
  try {
    return await use(client);
  } finally {
    await client.close();
  }
}

const statusOf = async (client: WithdrawalsClient, amountMsat: bigint) => {
  const res = await client.enqueue(withdrawalBody('aurpay', amountMsat).body);
  return res.kind === 'refused' ? res.error.code : res.record.status;
};

describe('the library client reads the money policy from the environment, as the API does', () => {
  it('holds for approval from APPROVAL_THRESHOLD_MSAT when no option gives a threshold', async () => {
    vi.stubEnv('APPROVAL_THRESHOLD_MSAT', '5000000');
    await withClient({ producer: 'env-threshold' }, async (client) => {
      expect(await statusOf(client, 4_999_000n)).toBe('queued');
      expect(await statusOf(client, 5_000_000n)).toBe('awaiting_approval');
    });
  });

  it('keeps the lower threshold when an option gives a higher one, and the option when it is lower', async () => {
    vi.stubEnv('APPROVAL_THRESHOLD_MSAT', '5000000');
    await withClient({ producer: 'looser-threshold', approvalThresholdMsat: 50_000_000n }, async (client) => {
      expect(await statusOf(client, 6_000_000n)).toBe('awaiting_approval');
    });
    await withClient({ producer: 'tighter-threshold', approvalThresholdMsat: 2_000_000n }, async (client) => {
      expect(await statusOf(client, 3_000_000n)).toBe('awaiting_approval');
      expect(await statusOf(client, 1_000_000n)).toBe('queued');
    });
  });

  it('refuses past LIMIT_DAILY_COUNT and MAX_AMOUNT_MSAT whatever looser options say', async () => {
    vi.stubEnv('LIMIT_DAILY_COUNT', '1');
    vi.stubEnv('MAX_AMOUNT_MSAT', '10000000');
    await withClient({ producer: 'env-limits', dailyCountLimit: 100, maxAmountMsat: 90_000_000n }, async (client) => {
      expect(await statusOf(client, 20_000_000n)).toBe('invalid_request');
      expect(await statusOf(client, 1_000_000n)).toBe('queued');
      expect(await statusOf(client, 1_000_000n)).toBe('limit_exceeded');
    });
  });

  it('refuses past LIMIT_DAILY_AMOUNT_MSAT when no option gives it', async () => {
    vi.stubEnv('LIMIT_DAILY_AMOUNT_MSAT', '3000000');
    await withClient({ producer: 'env-daily-amount' }, async (client) => {
      expect(await statusOf(client, 2_000_000n)).toBe('queued');
      expect(await statusOf(client, 2_000_000n)).toBe('limit_exceeded');
    });
  });

  it('counts QUOTA_DAILY_CREATED as the API does (the lower of option and variable)', async () => {
    vi.stubEnv('QUOTA_DAILY_CREATED', '2');
    await withClient({ producer: 'env-quota', dailyCreatedQuota: 50 }, async (client) => {
      const first = await client.enqueue(withdrawalBody('aurpay', 1000n).body);
      expect(first.kind).toBe('accepted');
      expect(await statusOf(client, 1000n)).toBe('queued');
      expect(await statusOf(client, 1000n)).toBe('limit_exceeded');
    });
  });

  it('refuses to start on a bad policy variable, naming it, whether or not an option gives it', async () => {
    vi.stubEnv('APPROVALS_REQUIRED', 'two');
    await expect(createWithdrawalsClient({ redisUrl: redisUrl(), prefix })).rejects.toThrow(/APPROVALS_REQUIRED: /);
    await expect(createWithdrawalsClient({ redisUrl: redisUrl(), prefix, approvalsRequired: 3 })).rejects.toBeInstanceOf(ConfigError);
  });
});

describe('clientConfig: the stricter of an option and its variable', () => {
  const policyOf = (options: Partial<WithdrawalsClientOptions>, env: Record<string, string>) => {
    const c = clientConfig({ ...base, ...options }, env, builtinProviders);
    return {
      APPROVAL_THRESHOLD_MSAT: c.APPROVAL_THRESHOLD_MSAT,
      APPROVALS_REQUIRED: c.APPROVALS_REQUIRED,
      LIMIT_DAILY_AMOUNT_MSAT: c.LIMIT_DAILY_AMOUNT_MSAT,
      LIMIT_DAILY_COUNT: c.LIMIT_DAILY_COUNT,
      MAX_AMOUNT_MSAT: c.MAX_AMOUNT_MSAT,
      AUTO_PROVIDER_ORDER: c.AUTO_PROVIDER_ORDER,
      ALLOW_ONCHAIN: c.ALLOW_ONCHAIN,
      INVOICE_EXPIRY_MARGIN_S: c.INVOICE_EXPIRY_MARGIN_S,
    };
  };
  const env = {
    APPROVAL_THRESHOLD_MSAT: '1000',
    APPROVALS_REQUIRED: '2',
    LIMIT_DAILY_AMOUNT_MSAT: '50000',
    LIMIT_DAILY_COUNT: '20',
    MAX_AMOUNT_MSAT: '9000',
    AUTO_PROVIDER_ORDER: 'turinpay',
    ALLOW_ONCHAIN: 'false',
    INVOICE_EXPIRY_MARGIN_S: '120',
  };
  const fromEnv = {
    APPROVAL_THRESHOLD_MSAT: 1000n,
    APPROVALS_REQUIRED: 2,
    LIMIT_DAILY_AMOUNT_MSAT: 50000n,
    LIMIT_DAILY_COUNT: 20,
    MAX_AMOUNT_MSAT: 9000n,
    AUTO_PROVIDER_ORDER: ['turinpay'],
    ALLOW_ONCHAIN: false,
    INVOICE_EXPIRY_MARGIN_S: 120,
  };

  it('takes each variable when no option gives it', () => {
    expect(policyOf({}, env)).toEqual(fromEnv);
  });

  it('takes each option when its variable is unset or empty', () => {
    const options = {
      approvalThresholdMsat: 7000n,
      approvalsRequired: 1,
      dailyAmountLimitMsat: 80000n,
      dailyCountLimit: 40,
      maxAmountMsat: 20000n,
      autoProviderOrder: ['aurpay', 'turinpay'],
      allowOnchain: true,
      invoiceExpiryMarginS: 30,
    };
    const expected = {
      APPROVAL_THRESHOLD_MSAT: 7000n,
      APPROVALS_REQUIRED: 1,
      LIMIT_DAILY_AMOUNT_MSAT: 80000n,
      LIMIT_DAILY_COUNT: 40,
      MAX_AMOUNT_MSAT: 20000n,
      AUTO_PROVIDER_ORDER: ['aurpay', 'turinpay'],
      ALLOW_ONCHAIN: true,
      INVOICE_EXPIRY_MARGIN_S: 30,
    };
    expect(policyOf(options, {})).toEqual(expected);
    expect(policyOf(options, Object.fromEntries(Object.keys(env).map((k) => [k, ''])))).toEqual(expected);
  });

  it('never lets an option loosen a variable that is set', () => {
    const looser = {
      approvalThresholdMsat: 7000n,
      approvalsRequired: 1,
      dailyAmountLimitMsat: 80000n,
      dailyCountLimit: 40,
      maxAmountMsat: 20000n,
      autoProviderOrder: ['aurpay', 'turinpay'],
      allowOnchain: true,
      invoiceExpiryMarginS: 30,
    };
    expect(policyOf(looser, env)).toEqual(fromEnv);
  });

  it('lets an option tighten a variable that is set', () => {
    const tighter = {
      approvalThresholdMsat: 500n,
      approvalsRequired: 3,
      dailyAmountLimitMsat: 10000n,
      dailyCountLimit: 5,
      maxAmountMsat: 4000n,
      invoiceExpiryMarginS: 300,
    };
    expect(policyOf(tighter, env)).toEqual({
      ...fromEnv,
      APPROVAL_THRESHOLD_MSAT: 500n,
      APPROVALS_REQUIRED: 3,
      LIMIT_DAILY_AMOUNT_MSAT: 10000n,
      LIMIT_DAILY_COUNT: 5,
      MAX_AMOUNT_MSAT: 4000n,
      INVOICE_EXPIRY_MARGIN_S: 300,
    });
    expect(policyOf({ allowOnchain: false }, { ALLOW_ONCHAIN: 'true' }).ALLOW_ONCHAIN).toBe(false);
  });

  it("keeps the option's order of auto routing among the providers AUTO_PROVIDER_ORDER lists, and refuses an option naming none", () => {
    expect(policyOf({ autoProviderOrder: ['turinpay', 'aurpay'] }, { AUTO_PROVIDER_ORDER: 'aurpay,turinpay' }).AUTO_PROVIDER_ORDER).toEqual(['turinpay', 'aurpay']);
    expect(policyOf({ autoProviderOrder: ['aurpay', 'turinpay'] }, { AUTO_PROVIDER_ORDER: 'turinpay' }).AUTO_PROVIDER_ORDER).toEqual(['turinpay']);
    expect(() => policyOf({ autoProviderOrder: ['aurpay'] }, { AUTO_PROVIDER_ORDER: 'turinpay' })).toThrow(/^invalid configuration:\n {2}AUTO_PROVIDER_ORDER: /);
  });

  it('reads no other variable from the environment', () => {
    const c = clientConfig(base, { QUEUE_PREFIX: 'other', LN_NETWORK: 'regtest', SUBMIT_ATTEMPTS: '2', API_TOKENS: 'x' }, builtinProviders);
    expect([c.QUEUE_PREFIX, c.LN_NETWORK, c.SUBMIT_ATTEMPTS, c.API_TOKENS]).toEqual(['wd', 'bitcoin', 8, []]);
  });
});
