import type { Dispatcher } from 'undici';
import { msatToBtc } from '../../money.ts';
import { sendIdempotentGet } from '../http/get-retry.ts';
import { outcomeLogFields, silentLogger, submitLogLevel, type ProviderLogger } from '../http/logger.ts';
import { createScrubber } from '../http/scrub.ts';
import { createHttpTransport, type HttpResult } from '../http/transport.ts';
import type { LookupRequest, ProviderClient, SubmitRequest } from '../types.ts';
import { aurpayAuthHeaders, type AurpayCredentials } from './auth.ts';
import { aurpayLookup } from './lookup.ts';
import { aurpaySubmitOutcome } from './submit-outcome.ts';

export const AURPAY_WITHDRAW_PATH = '/api/bln/withdraw';
export const AURPAY_TX_PATH = '/api/v2/tx';

export interface AurpayClientOptions {
  /** Aurpay API host, e.g. `https://dashboard.aurpay.net` (a path prefix is kept). */
  baseUrl: string;
  /** API-Key header value; also the API-Token of signature auth when `apiToken` is unset. */
  apiKey: string;
  /** With a secret, requests use signature authentication (providers.md §1.3). */
  apiSecret?: string | null;
  /** Signature auth token. @defaultValue apiKey */
  apiToken?: string | null;
  /** PROVIDER_TIMEOUT_MS, in ms. */
  timeoutMs: number;
  /** Injected dispatcher (tests, proxies); without one the client owns an Agent with the timeouts. */
  dispatcher?: Dispatcher;
  /** Transactions per `/api/v2/tx` page. @defaultValue 50 */
  lookupPageSize?: number;
  /** Pages read per lookup before answering not_found. @defaultValue 5 */
  lookupMaxPages?: number;
  /** Clock for the signature Date and Retry-After dates. @defaultValue () => new Date() */
  now?: () => Date;
  logger?: ProviderLogger;
}

export function createAurpayClient(options: AurpayClientOptions): ProviderClient {
  const pageSize = positiveInt('lookupPageSize', options.lookupPageSize ?? 50, 1000);
  const maxPages = positiveInt('lookupMaxPages', options.lookupMaxPages ?? 5, 100);
  positiveInt('timeoutMs', options.timeoutMs, 600_000);
  if (options.apiKey.length === 0) throw new Error('aurpay: apiKey is empty');

  const credentials: AurpayCredentials = {
    apiKey: options.apiKey,
    apiSecret: options.apiSecret ?? null,
    apiToken: options.apiToken ?? null,
  };
  const now = options.now ?? (() => new Date());
  const logger = options.logger ?? silentLogger;
  const scrub = createScrubber([credentials.apiKey, credentials.apiSecret, credentials.apiToken]);
  const transport = createHttpTransport({
    baseUrl: options.baseUrl,
    timeoutMs: options.timeoutMs,
    ...(options.dispatcher === undefined ? {} : { dispatcher: options.dispatcher }),
  });

  /** Headers for one request: the signature covers the URL path (no query) and these exact body bytes. */
  function headers(method: 'GET' | 'POST', path: string, body: string | null): Record<string, string> {
    const auth = aurpayAuthHeaders(credentials, { method, path: transport.url(path).pathname, body }, now());
    const base: Record<string, string> = { accept: 'application/json' };
    if (body !== null) base['content-type'] = 'application/json';
    return { ...base, ...auth };
  }

  return {
    name: 'aurpay',

    async submit(request: SubmitRequest) {
      if (request.invoice === null) {
        // The API layer refuses address withdrawals for Aurpay; reaching here is a bug, not an outcome.
        throw new Error(`aurpay: withdrawal ${request.withdrawalId} has no invoice (address withdrawals are not supported)`);
      }
      const payload: { ln_invoices: string; amount?: string } = { ln_invoices: request.invoice };
      // Only for amountless invoices; Aurpay's amount is a BTC decimal string.
      if (request.amountMsat !== null) payload.amount = msatToBtc(request.amountMsat);
      const body = JSON.stringify(payload);
      const result = await transport.send({
        method: 'POST',
        path: AURPAY_WITHDRAW_PATH,
        headers: headers('POST', AURPAY_WITHDRAW_PATH, body),
        body,
      });
      const outcome = aurpaySubmitOutcome(result, { now: now(), scrub });
      logger[submitLogLevel(outcome)](
        { provider: 'aurpay', op: 'submit', withdrawalId: request.withdrawalId, httpStatus: httpStatus(result), ...outcomeLogFields(outcome) },
        'aurpay submit answered',
      );
      return outcome;
    },

    async lookup(request: LookupRequest) {
      const outcome = await aurpayLookup(
        {
          pageSize,
          maxPages,
          now,
          scrub,
          fetchPage: (page, size) => {
            const path = `${AURPAY_TX_PATH}?page=${page}&size=${size}`;
            return sendIdempotentGet(transport, { method: 'GET', path, headers: headers('GET', path, null) });
          },
        },
        request,
      );
      logger.debug(
        { provider: 'aurpay', op: 'lookup', withdrawalId: request.withdrawalId, ...outcomeLogFields(outcome) },
        'aurpay lookup answered',
      );
      return outcome;
    },

    close: () => transport.close(),
  };
}

function httpStatus(result: HttpResult): number | null {
  return result.ok ? result.response.status : (result.status ?? null);
}

function positiveInt(name: string, value: number, max: number): number {
  if (!Number.isSafeInteger(value) || value < 1 || value > max) {
    throw new Error(`aurpay: ${name} must be an integer from 1 to ${max}, got ${value}`);
  }
  return value;
}
