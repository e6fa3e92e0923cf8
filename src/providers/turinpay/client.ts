import type { Dispatcher } from 'undici';
import { sendIdempotentGet } from '../http/get-retry.ts';
import { outcomeLogFields, silentLogger, submitLogLevel, type ProviderLogger } from '../http/logger.ts';
import { createScrubber } from '../http/scrub.ts';
import { createHttpTransport } from '../http/transport.ts';
import type { LookupOutcome, LookupRequest, ProviderClient, SubmitRequest } from '../types.ts';
import { turinpayLookupOutcome } from './lookup-outcome.ts';
import { turinpaySubmitOutcome } from './submit-outcome.ts';
import { TURINPAY_NETWORKS, type TurinpayNetwork } from './verify.ts';

export const TURINPAY_WITHDRAWALS_PATH = '/withdrawals';

export interface TurinpayClientOptions {
  /** TurinPay API host, e.g. `https://api.turinpay.com` (a path prefix is kept). */
  baseUrl: string;
  /** Key with the `withdrawals` role, sent as `X-API-Key`. */
  apiKey: string;
  /** LN_NETWORK: an answer naming another network is never trusted. */
  network: TurinpayNetwork;
  /** PROVIDER_TIMEOUT_MS, in ms. */
  timeoutMs: number;
  /** Injected dispatcher (tests, proxies); without one the client owns an Agent with the timeouts. */
  dispatcher?: Dispatcher;
  /** Clock for Retry-After dates. @defaultValue () => new Date() */
  now?: () => Date;
  logger?: ProviderLogger;
}

export function createTurinpayClient(options: TurinpayClientOptions): ProviderClient {
  if (options.apiKey.length === 0) throw new Error('turinpay: apiKey is empty');
  if (!TURINPAY_NETWORKS.includes(options.network)) throw new Error(`turinpay: unknown network ${String(options.network)}`);
  if (!Number.isSafeInteger(options.timeoutMs) || options.timeoutMs < 1) {
    throw new Error(`turinpay: timeoutMs must be a positive integer, got ${options.timeoutMs}`);
  }
  const now = options.now ?? (() => new Date());
  const logger = options.logger ?? silentLogger;
  const scrub = createScrubber([options.apiKey]);
  const transport = createHttpTransport({
    baseUrl: options.baseUrl,
    timeoutMs: options.timeoutMs,
    ...(options.dispatcher === undefined ? {} : { dispatcher: options.dispatcher }),
  });
  const auth = { 'x-api-key': options.apiKey, accept: 'application/json' };

  return {
    name: 'turinpay',

    async submit(request: SubmitRequest) {
      const address = request.invoice ?? request.address;
      if (address === null) throw new Error(`turinpay: withdrawal ${request.withdrawalId} has neither invoice nor address`);
      const payload: { address: string; type: 'ln' | 'BTC'; description?: string } = {
        address,
        type: request.invoice !== null ? 'ln' : 'BTC',
      };
      if (request.description !== null) payload.description = request.description;
      const result = await transport.send({
        method: 'POST',
        path: TURINPAY_WITHDRAWALS_PATH,
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify(payload),
      });
      const outcome = turinpaySubmitOutcome(result, {
        now: now(),
        scrub,
        expected: { network: options.network, paymentHash: request.paymentHash, invoice: request.invoice },
      });
      const httpStatus = result.ok ? result.response.status : (result.status ?? null);
      logger[submitLogLevel(outcome)](
        { provider: 'turinpay', op: 'submit', withdrawalId: request.withdrawalId, httpStatus, ...outcomeLogFields(outcome) },
        'turinpay submit answered',
      );
      return outcome;
    },

    async lookup(request: LookupRequest) {
      const outcome = await lookup(request);
      logger.debug(
        { provider: 'turinpay', op: 'lookup', withdrawalId: request.withdrawalId, ...outcomeLogFields(outcome) },
        'turinpay lookup answered',
      );
      return outcome;
    },

    close: () => transport.close(),
  };

  async function lookup(request: LookupRequest): Promise<LookupOutcome> {
    // The published example's ids are the payment hash, so it stands in when the id was never received.
    const id = request.providerRef ?? request.paymentHash;
    if (id === null) return { kind: 'error', reason: 'no providerRef or payment hash to look up by' };
    const path = `${TURINPAY_WITHDRAWALS_PATH}?id=${encodeURIComponent(id)}`;
    const result = await sendIdempotentGet(transport, { method: 'GET', path, headers: auth });
    return turinpayLookupOutcome(result, {
      now: now(),
      scrub,
      askedId: id,
      expected: { network: options.network, paymentHash: request.paymentHash, invoice: request.invoice },
    });
  }
}
