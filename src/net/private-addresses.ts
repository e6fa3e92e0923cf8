import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * Which hosts the service may reach when it fetches a URL someone else gave it (webhooks and Lightning
 * Address servers; interface.md, "Limits" and "Lightning Addresses"; architecture.md invariant 9): no
 * request may make this service reach into a private network. Only plain public unicast addresses pass; every special
 * range ipaddr.js knows (loopback, RFC 1918, link-local, CGNAT, unique-local, multicast, unspecified,
 * broadcast, reserved, NAT64, 6to4, Teredo...) is refused, so a range added there is refused here too.
 */

/** The names the ranges go by in answers and logs. */
const RANGE_NAMES: Record<string, string> = {
  loopback: 'loopback',
  private: 'RFC 1918 private',
  linkLocal: 'link-local',
  carrierGradeNat: 'CGNAT 100.64.0.0/10',
  uniqueLocal: 'unique-local fc00::/7',
  multicast: 'multicast',
  unspecified: 'unspecified',
  broadcast: 'broadcast',
  ipv4Mapped: 'IPv4-mapped IPv6',
  rfc6145: 'IPv4-translated IPv6',
  rfc6052: 'NAT64',
  '6to4': '6to4',
  teredo: 'Teredo',
};

/** Why `address` (an IP address as DNS or the URL parser writes it) may not be reached; null when it may. */
export function refusedRange(address: string): string | null {
  if (isIP(address) === 0) return 'not an IP address';
  const ip = ipaddr.parse(address);
  const range = ip.range();
  if (range !== 'unicast') return RANGE_NAMES[range] ?? range;
  // ::a.b.c.d (IPv4-compatible, deprecated) falls in no range of ipaddr.js, yet reaches an IPv4 host.
  if (ip instanceof ipaddr.IPv6 && ip.parts.slice(0, 6).every((p) => p === 0)) return 'IPv4-compatible IPv6';
  return null;
}

/** Raised wherever an outbound request would reach a refused address; a stable `code`, like Node's network errors. */
export class PrivateAddressError extends Error {
  override name = 'PrivateAddressError';
  readonly code = 'ERR_PRIVATE_ADDRESS';
  constructor(
    readonly address: string,
    readonly range: string,
  ) {
    super(`${address} is not a public address (${range}); outbound requests do not reach private networks`);
  }
}

/** The URL parser's hostname without IPv6 brackets and trailing dots. */
export function bareHost(hostname: string): string {
  return hostname.replace(/^\[(.*)\]$/, '$1').replace(/\.+$/, '');
}

/**
 * What is wrong with a hostname before any resolution: `localhost` names, or an address literal in a
 * refused range. The URL parser has already turned decimal, octal and hex IPv4 spellings into dotted quads.
 */
export function hostProblem(hostname: string): string | null {
  const host = bareHost(hostname).toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return 'must not point at localhost';
  if (isIP(host) === 0) return null;
  const range = refusedRange(host);
  return range ? `must not point at a non-public address (${range})` : null;
}

/** Resolves every address of a name, like `dns.lookup(name, { all: true })`. */
export function lookupAll(lookup: LookupFunction, hostname: string): Promise<LookupAddress[]> {
  return new Promise((resolve, reject) => {
    lookup(hostname, { all: true }, (err, addresses, family) => {
      if (err) reject(err);
      else resolve(Array.isArray(addresses) ? addresses : [{ address: addresses, family: family ?? isIP(addresses) }]);
    });
  });
}

export interface UrlPolicyOptions {
  allowPrivate: boolean;
  /** @defaultValue node:dns `lookup` */
  lookup?: LookupFunction;
  /** How long registration waits for DNS before accepting the name (ms). @defaultValue 3000 */
  resolveTimeoutMs?: number;
}

/** The registration-time check of a URL (already well-formed): the problem with it, or null. */
export type UrlCheck = (url: string) => Promise<string | null>;

/**
 * A name is resolved and refused when any of its addresses is. A name that does not resolve (or not in
 * time) is accepted: the answer could change anyway, and the connect-time check (connect-guard.ts) holds.
 */
export function createUrlCheck(opts: UrlPolicyOptions): UrlCheck {
  const lookup = opts.lookup ?? dnsLookup;
  const timeoutMs = opts.resolveTimeoutMs ?? 3000;
  return async (url) => {
    if (opts.allowPrivate) return null;
    const { hostname } = new URL(url);
    const problem = hostProblem(hostname);
    const host = bareHost(hostname);
    if (problem || isIP(host) !== 0) return problem;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<null>((resolve) => (timer = setTimeout(resolve, timeoutMs, null)));
    const addresses = await Promise.race([lookupAll(lookup, host).catch(() => null), timeout]).finally(() => clearTimeout(timer));
    for (const { address } of addresses ?? []) {
      const range = refusedRange(address);
      if (range) return `must not point at a host that resolves to a non-public address (${range})`;
    }
    return null;
  };
}
