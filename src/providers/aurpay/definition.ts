import { z } from 'zod';
import { httpUrl, int, optionalSecret } from '../../config-fields.ts';
import { defineProvider } from '../definition.ts';
import { createAurpayClient } from './client.ts';

const configSchema = z.object({
  AURPAY_BASE_URL: httpUrl.default('https://dashboard.aurpay.net'),
  AURPAY_API_KEY: optionalSecret,
  AURPAY_API_SECRET: optionalSecret,
  AURPAY_API_TOKEN: optionalSecret,
  /** Transactions per page when searching Aurpay's `/api/v2/tx` for a withdrawal. */
  AURPAY_LOOKUP_PAGE_SIZE: int(100, 1, 1000),
  /** Pages read per settlement check before answering "not found yet". */
  AURPAY_LOOKUP_MAX_PAGES: int(10, 1, 1000),
  /** Requests per second to Aurpay across the whole fleet, submits and status lookups together; 0: no limit. */
  AURPAY_RATE_LIMIT_PER_S: int(0, 0, 100000),
  /** Submit jobs one worker process runs at once for Aurpay (default SUBMIT_CONCURRENCY). */
  AURPAY_CONCURRENCY: z.coerce.number().int().min(1).max(1000).optional(),
});

/**
 * Aurpay: takes an amount with an amountless invoice; pays Lightning only; its `SUCCESS` on the
 * withdraw call is ambiguous (providers.md §4.3), so a lookup always confirms it.
 */
export const aurpay = defineProvider({
  name: 'aurpay',
  label: 'Aurpay',
  capabilities: { amountlessInvoices: true, onchain: false, settlesOnSubmit: false },
  keyVariable: 'AURPAY_API_KEY',
  configSchema,
  settings(v) {
    if (v.AURPAY_API_KEY === null) return null;
    return {
      baseUrl: v.AURPAY_BASE_URL,
      apiKey: v.AURPAY_API_KEY,
      apiSecret: v.AURPAY_API_SECRET,
      apiToken: v.AURPAY_API_TOKEN,
      timeoutMs: v.PROVIDER_TIMEOUT_MS,
      lookupPageSize: v.AURPAY_LOOKUP_PAGE_SIZE,
      lookupMaxPages: v.AURPAY_LOOKUP_MAX_PAGES,
    };
  },
  create: (settings, deps) => createAurpayClient({ ...settings, logger: deps.logger }),
  sandbox: { variables: (sandbox, apiKey) => ({ AURPAY_BASE_URL: sandbox.aurpayUrl, AURPAY_API_KEY: apiKey }) },
  limits: (v) => ({ ratePerS: v.AURPAY_RATE_LIMIT_PER_S, ...(v.AURPAY_CONCURRENCY ? { concurrency: v.AURPAY_CONCURRENCY } : {}) }),
});
