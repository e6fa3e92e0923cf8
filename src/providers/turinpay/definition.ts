import { z } from 'zod';
import { httpUrl, int, optionalSecret } from '../../config-fields.ts';
import { defineProvider } from '../definition.ts';
import { createTurinpayClient } from './client.ts';

const configSchema = z.object({
  TURINPAY_BASE_URL: httpUrl.default('https://api.turinpay.com'),
  TURINPAY_API_KEY: optionalSecret,
  /** Requests per second to TurinPay across the whole fleet, submits and status lookups together; 0: no limit. */
  TURINPAY_RATE_LIMIT_PER_S: int(0, 0, 100000),
  /** Submit jobs one worker process runs at once for TurinPay (default SUBMIT_CONCURRENCY). */
  TURINPAY_CONCURRENCY: z.coerce.number().int().min(1).max(1000).optional(),
});

/**
 * TurinPay: its API takes no amount, so it pays only invoices that carry one; it pays on-chain
 * addresses; its "paid" on submit is explicit, so it settles there.
 */
export const turinpay = defineProvider({
  name: 'turinpay',
  label: 'TurinPay',
  capabilities: { amountlessInvoices: false, onchain: true, settlesOnSubmit: true },
  keyVariable: 'TURINPAY_API_KEY',
  configSchema,
  settings(v) {
    if (v.TURINPAY_API_KEY === null) return null;
    return { baseUrl: v.TURINPAY_BASE_URL, apiKey: v.TURINPAY_API_KEY, network: v.LN_NETWORK, timeoutMs: v.PROVIDER_TIMEOUT_MS };
  },
  create: (settings, deps) => createTurinpayClient({ ...settings, logger: deps.logger }),
  sandbox: { variables: (sandbox, apiKey) => ({ TURINPAY_BASE_URL: sandbox.turinpayUrl, TURINPAY_API_KEY: apiKey }) },
  limits: (v) => ({ ratePerS: v.TURINPAY_RATE_LIMIT_PER_S, ...(v.TURINPAY_CONCURRENCY ? { concurrency: v.TURINPAY_CONCURRENCY } : {}) }),
});
