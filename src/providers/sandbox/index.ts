/**
 * Loopback fake Aurpay and TurinPay with switchable faults and a ledger of the payments they
 * made. Written from docs/providers.md and the provider seeds, not from our clients.
 */
import { aurpayHandler } from './aurpay.ts';
import { RequestCounter, SubmitCounter, type RequestCounts, type SubmitsFor } from './counts.ts';
import { FaultBook, fixedFault, type FaultPlan } from './faults.ts';
import type { SandboxNetwork } from './invoice.ts';
import { Ledger, type SandboxProvider } from './ledger.ts';
import { TokenBucket } from './rate-limit.ts';
import { startLoopback, type LoopbackServer } from './server.ts';
import { startLnurlServer, type LnurlServer } from './lnurl.ts';
import { TxStore } from './store.ts';
import { turinpayHandler } from './turinpay.ts';
import type { TurinpayEnvelope } from './turinpay-body.ts';

export { FAULTS, faultMix, fixedFault } from './faults.ts';
export type { Fault, FaultContext, FaultPlan } from './faults.ts';
export { Ledger } from './ledger.ts';
export type { LedgerPayment, SandboxProvider } from './ledger.ts';
export type { RequestCounts, SubmitsFor } from './counts.ts';
export type { SandboxNetwork } from './invoice.ts';
export type { TurinpayEnvelope } from './turinpay-body.ts';
export { msatToBtc, btcToMsat } from './btc.ts';
export { LNURL_BEHAVIOURS, startLnurlServer } from './lnurl.ts';
export type { LnurlBehaviour, LnurlServer, LnurlServerOptions } from './lnurl.ts';

export interface SandboxOptions {
  /** Default 127.0.0.1. */
  host?: string;
  aurpay?: { port?: number; apiKey: string; apiToken?: string; apiSecret?: string };
  turinpay?: { port?: number; apiKey: string };
  /** Invoices of other networks are refused. Default 'regtest'. */
  network?: SandboxNetwork;
  /** Default: fixedFault('none') for both. */
  faults?: { aurpay?: FaultPlan; turinpay?: FaultPlan };
  /** Lookups that still answer pending before a pending withdrawal reaches its end. Default 1. */
  pendingLookups?: number;
  /**
   * Pending withdrawals (`pending_then_*`) reach their end this many ms after their submit, on the
   * first read from then on, instead of after `pendingLookups` reads. Default: unset.
   */
  settleAfterMs?: number;
  /** Delay before every answer is written (after the request was processed). Default 0. */
  latencyMs?: number;
  /** Token bucket per provider over all its routes; when empty → 429 with Retry-After. */
  rateLimitPerSecond?: number;
  /** Largest page size Aurpay's GET /api/v2/tx serves (a larger `size` is cut down). Default 100. */
  lookupPageSize?: number;
  /** TurinPay answer shape: bare object, `{ data }`, or by payment-hash parity. Default 'alternate'. */
  turinpayEnvelope?: TurinpayEnvelope;
  /** The Lightning Address server's port (0 or absent: any free one) and how late its `slow` accounts answer. */
  lnurl?: { port?: number; slowMs?: number; flakyFailures?: number };
}

export interface Sandbox {
  aurpayUrl: string;
  turinpayUrl: string;
  /** A loopback Lightning Address / LNURL-pay server minting invoices these providers pay. */
  lnurl: LnurlServer;
  ledger: Ledger;
  /** Replaces a provider's plan; earlier per-invoice decisions are forgotten. */
  setFaults(provider: SandboxProvider, plan: FaultPlan): void;
  /** Sets a provider's account balance; a payment it does not cover is refused (insufficient balance). */
  setBalance(provider: SandboxProvider, msat: bigint): void;
  /** Pending withdrawals a provider records from now on end `ms` after their submit (null: after `pendingLookups` reads). */
  setSettleAfter(provider: SandboxProvider, ms: number | null): void;
  requestCounts(): RequestCounts;
  /** Submit requests each provider received for this invoice (its payment hash), e.g. `{ aurpay: 2, turinpay: 0 }`. */
  submitsFor(paymentHash: string): SubmitsFor;
  close(): Promise<void>;
}

type AurpayOptions = NonNullable<SandboxOptions['aurpay']>;
type TurinpayOptions = NonNullable<SandboxOptions['turinpay']>;
const DEFAULT_AURPAY: AurpayOptions = { apiKey: 'sandbox-aurpay-key' };
const DEFAULT_TURINPAY: TurinpayOptions = { apiKey: 'sandbox-turinpay-key' };

function checkSettleAfter(ms: number | null): void {
  if (ms !== null && (!Number.isInteger(ms) || ms < 0)) throw new RangeError('settleAfterMs must be a non-negative integer');
}

export async function startSandbox(options: SandboxOptions): Promise<Sandbox> {
  const host = options.host ?? '127.0.0.1';
  const network = options.network ?? 'regtest';
  const pendingLookups = options.pendingLookups ?? 1;
  const latencyMs = options.latencyMs ?? 0;
  if (!Number.isInteger(pendingLookups) || pendingLookups < 0) throw new RangeError('pendingLookups must be a non-negative integer');
  const settleAfterMs = options.settleAfterMs ?? null;
  checkSettleAfter(settleAfterMs);
  const ledger = new Ledger();
  const counter = new RequestCounter();
  const submits = new SubmitCounter();
  const bucket = (): TokenBucket | null =>
    options.rateLimitPerSecond === undefined ? null : new TokenBucket(options.rateLimitPerSecond);
  const books: Record<SandboxProvider, FaultBook> = {
    aurpay: new FaultBook(options.faults?.aurpay ?? fixedFault('none')),
    turinpay: new FaultBook(options.faults?.turinpay ?? fixedFault('none')),
  };
  const stores: Record<SandboxProvider, TxStore> = {
    aurpay: new TxStore('aurpay', ledger, pendingLookups, settleAfterMs),
    turinpay: new TxStore('turinpay', ledger, pendingLookups, settleAfterMs),
  };
  const aurpay = options.aurpay ?? DEFAULT_AURPAY;
  const turinpay = options.turinpay ?? DEFAULT_TURINPAY;

  const servers: LoopbackServer[] = [];
  let lnurl: LnurlServer | null = null;
  try {
    lnurl = await startLnurlServer({ network, host, ...options.lnurl });
    servers.push(
      await startLoopback({
        provider: 'aurpay',
        host,
        port: aurpay.port ?? 0,
        latencyMs,
        counter,
        handle: aurpayHandler({
          credentials: aurpay,
          network,
          faults: books.aurpay,
          submits,
          store: stores.aurpay,
          bucket: bucket(),
          maxPageSize: options.lookupPageSize ?? 100,
        }),
      }),
    );
    servers.push(
      await startLoopback({
        provider: 'turinpay',
        host,
        port: turinpay.port ?? 0,
        latencyMs,
        counter,
        handle: turinpayHandler({
          apiKey: turinpay.apiKey,
          network,
          faults: books.turinpay,
          submits,
          store: stores.turinpay,
          bucket: bucket(),
          envelope: options.turinpayEnvelope ?? 'alternate',
        }),
      }),
    );
  } catch (error) {
    await Promise.all([...servers.map((s) => s.close()), lnurl?.close()]);
    throw error;
  }
  const [aurpayServer, turinpayServer] = servers;
  if (!aurpayServer || !turinpayServer) throw new Error('sandbox servers did not start');
  const lnurlServer = lnurl;

  return {
    aurpayUrl: aurpayServer.url,
    turinpayUrl: turinpayServer.url,
    lnurl: lnurlServer,
    ledger,
    setFaults: (provider, plan) => books[provider].setPlan(plan),
    setBalance: (provider, msat) => stores[provider].setBalance(msat),
    setSettleAfter: (provider, ms) => {
      checkSettleAfter(ms);
      stores[provider].setSettleAfter(ms);
    },
    requestCounts: () => counter.snapshot(),
    submitsFor: (paymentHash) => submits.for(paymentHash),
    close: async () => {
      await Promise.all([...servers.map((s) => s.close()), lnurlServer.close()]);
    },
  };
}
