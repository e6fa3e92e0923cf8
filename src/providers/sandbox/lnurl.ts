/**
 * A loopback Lightning Address / LNURL-pay server (LUD-06, LUD-16) for the sandbox, the tests and the
 * demo: it mints BOLT11 invoices of the sandbox's network, which the sandbox providers pay. Each
 * account (the name before the @) behaves as set, or as its name says when that is a behaviour
 * (`refuse@...`, `slow@...`), else well. It counts every payRequest and callback request per name.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { bech32 } from '@scure/base';
import { encodeInvoice, type Network } from '../../invoices/index.ts';

export const LNURL_BEHAVIOURS = [
  'ok',
  /** The payRequest answers 404 with an HTML page. */
  'http_error',
  /** Every request answers 503: the server never gives a usable answer. */
  'server_error',
  /** The callback answers `{"status":"ERROR","reason":...}`. */
  'refuse',
  /** The invoice is for 1 sat more than asked. */
  'wrong_amount',
  /** The invoice is of another network. */
  'wrong_network',
  /** The invoice expires in 10 s (within any sane margin). */
  'expired',
  /** Every callback answers the same invoice. */
  'reused',
  /** The payRequest takes 1 to 10 sats only. */
  'bounds',
  /** The payRequest answers 302 to another URL. */
  'redirect',
  /** The payRequest's body is 100 KiB. */
  'oversized',
  /** Every answer comes after `slowMs`. */
  'slow',
  /** The first `flakyFailures` payRequests answer 503, then it is well. */
  'flaky',
  /** The payRequest's tag is not payRequest. */
  'not_pay_request',
  /** The invoice's description hash is not the metadata's (allowed: recorded, not required). */
  'other_description',
] as const;

export type LnurlBehaviour = (typeof LNURL_BEHAVIOURS)[number];

export interface LnurlServerOptions {
  network: Network;
  /** Default 127.0.0.1. */
  host?: string;
  port?: number;
  /** How late `slow` answers. Default 5000. */
  slowMs?: number;
  /** How many payRequests of a `flaky` account fail first. Default 2. */
  flakyFailures?: number;
}

export interface LnurlServer {
  /** `http://host:port`. */
  url: string;
  /** The Lightning Address of an account here: `name@host:port` (needs LNURL_ALLOW_PRIVATE=true). */
  address(name: string): string;
  /** The LNURL-pay string (lnurl1...) of an account here. */
  lnurl(name: string): string;
  setBehaviour(name: string, behaviour: LnurlBehaviour): void;
  /** payRequest and callback requests an account received. */
  requests(name: string): { payRequests: number; callbacks: number };
  /** The invoices minted for an account, oldest first. */
  invoices(name: string): string[];
  close(): Promise<void>;
}

const PAYEE_KEY = randomBytes(32).toString('hex');
const MAX_SENDABLE = 100_000_000_000;

function isBehaviour(name: string): name is LnurlBehaviour {
  return (LNURL_BEHAVIOURS as readonly string[]).includes(name);
}

export async function startLnurlServer(opts: LnurlServerOptions): Promise<LnurlServer> {
  const host = opts.host ?? '127.0.0.1';
  const slowMs = opts.slowMs ?? 5000;
  const flakyFailures = opts.flakyFailures ?? 2;
  const behaviours = new Map<string, LnurlBehaviour>();
  const counts = new Map<string, { payRequests: number; callbacks: number }>();
  const minted = new Map<string, string[]>();
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let base = '';

  const behaviourOf = (name: string): LnurlBehaviour => behaviours.get(name) ?? (isBehaviour(name) ? name : 'ok');
  const countOf = (name: string) => {
    let c = counts.get(name);
    if (!c) counts.set(name, (c = { payRequests: 0, callbacks: 0 }));
    return c;
  };
  const metadataOf = (name: string) => JSON.stringify([['text/plain', `Sandbox payout to ${name}`], ['text/identifier', `${name}@sandbox`]]);

  function mint(name: string, amountMsat: bigint, network: Network, expirySeconds: number, descriptionHash: string): string {
    const invoice = encodeInvoice({
      network,
      amountMsat,
      paymentHash: randomBytes(32).toString('hex'),
      paymentSecret: randomBytes(32).toString('hex'),
      timestamp: Math.floor(Date.now() / 1000),
      expirySeconds,
      descriptionHash,
      privateKey: PAYEE_KEY,
    });
    const list = minted.get(name) ?? [];
    list.push(invoice);
    minted.set(name, list);
    return invoice;
  }

  function payRequest(name: string): { status: number; body: string; headers?: Record<string, string> } {
    const b = behaviourOf(name);
    const c = countOf(name);
    c.payRequests++;
    if (b === 'http_error') return { status: 404, body: '<html>not found</html>', headers: { 'content-type': 'text/html' } };
    if (b === 'server_error') return { status: 503, body: 'unavailable', headers: { 'content-type': 'text/plain' } };
    if (b === 'flaky' && c.payRequests <= flakyFailures) return { status: 503, body: 'try later', headers: { 'content-type': 'text/plain' } };
    if (b === 'redirect') return { status: 302, body: '', headers: { location: `${base}/.well-known/lnurlp/ok` } };
    const answer = {
      tag: b === 'not_pay_request' ? 'withdrawRequest' : 'payRequest',
      callback: `${base}/lnurlp/callback/${encodeURIComponent(name)}`,
      minSendable: 1000,
      maxSendable: b === 'bounds' ? 10_000 : MAX_SENDABLE,
      metadata: metadataOf(name),
      commentAllowed: 0,
    };
    const body = b === 'oversized' ? JSON.stringify({ ...answer, padding: 'x'.repeat(100 * 1024) }) : JSON.stringify(answer);
    return { status: 200, body };
  }

  function callback(name: string, query: URLSearchParams): { status: number; body: string } {
    const b = behaviourOf(name);
    countOf(name).callbacks++;
    const amount = query.get('amount') ?? '';
    if (!/^[1-9]\d{0,17}$/.test(amount)) return { status: 400, body: JSON.stringify({ status: 'ERROR', reason: 'amount must be a whole number of msat' }) };
    if (b === 'server_error') return { status: 503, body: 'unavailable' };
    if (b === 'refuse') return { status: 200, body: JSON.stringify({ status: 'ERROR', reason: 'this account takes no payments' }) };
    const msat = BigInt(amount);
    if (b === 'reused' && minted.get(name)?.[0]) return { status: 200, body: JSON.stringify({ pr: minted.get(name)?.[0], routes: [] }) };
    const network: Network = b === 'wrong_network' ? (opts.network === 'bitcoin' ? 'testnet' : 'bitcoin') : opts.network;
    const hash = createHash('sha256').update(b === 'other_description' ? 'something else' : metadataOf(name), 'utf8').digest('hex');
    const pr = mint(name, b === 'wrong_amount' ? msat + 1000n : msat, network, b === 'expired' ? 10 : 3600, hash);
    return { status: 200, body: JSON.stringify({ pr, routes: [] }) };
  }

  function handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://sandbox');
    const well = /^\/\.well-known\/lnurlp\/([^/]+)$/.exec(url.pathname);
    const cb = /^\/lnurlp\/callback\/([^/]+)$/.exec(url.pathname);
    let answer: { status: number; body: string; headers?: Record<string, string> };
    let name = '';
    if (req.method === 'GET' && well?.[1]) answer = payRequest((name = decodeURIComponent(well[1])));
    else if (req.method === 'GET' && cb?.[1]) answer = callback((name = decodeURIComponent(cb[1])), url.searchParams);
    else answer = { status: 404, body: JSON.stringify({ status: 'ERROR', reason: 'no such route' }) };
    const write = () => {
      if (res.destroyed) return;
      res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers, 'content-length': Buffer.byteLength(answer.body) });
      res.end(answer.body);
    };
    if (name !== '' && behaviourOf(name) === 'slow') {
      const t = setTimeout(() => {
        timers.delete(t);
        write();
      }, slowMs);
      timers.add(t);
    } else write();
  }

  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => handle(req, res));
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, resolve);
  });
  const port = (server.address() as AddressInfo).port;
  const hostPort = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  base = `http://${hostPort}`;

  return {
    url: base,
    address: (name) => `${name}@${hostPort}`,
    lnurl: (name) => bech32.encode('lnurl', bech32.toWords(new TextEncoder().encode(`${base}/.well-known/lnurlp/${encodeURIComponent(name)}`)), 2000),
    setBehaviour: (name, behaviour) => void behaviours.set(name, behaviour),
    requests: (name) => ({ ...countOf(name) }),
    invoices: (name) => [...(minted.get(name) ?? [])],
    close: async () => {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
