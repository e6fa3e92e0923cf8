import { isIP } from 'node:net';
import { bech32 } from '@scure/base';
import { bareHost, hostProblem } from '../net/private-addresses.ts';
import { urlRefusal } from '../net/outbound.ts';

/**
 * What a `lightningAddress` names (interface.md, "Lightning Addresses"): a Lightning Address
 * `name@domain` (LUD-16) or an LNURL-pay string `lnurl1...` (LUD-01), read into the URL of its
 * payRequest. Pure: the door's checks (form, `.onion`, literal non-public hosts) and the worker's
 * first URL come from here.
 */

/** Longest `lightningAddress` taken (an lnurl1 string of a long URL included). */
export const MAX_LIGHTNING_ADDRESS_CHARS = 2048;

export type Destination = { ok: true; kind: 'address' | 'lnurl'; url: string } | { ok: false; code: 'invalid_request' | 'unsupported_destination'; message: string };

/** LUD-16's user name: a-z 0-9 - _ . + (upper case read as lower, as wallets do). */
const NAME = /^[a-z0-9._+-]{1,64}$/i;
/** A DNS name: labels of letters, digits and hyphens. */
const DNS_NAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*\.?$/i;

function refuse(code: 'invalid_request' | 'unsupported_destination', message: string): Destination {
  return { ok: false, code, message };
}

function isOnion(hostname: string): boolean {
  return /\.onion\.?$/i.test(bareHost(hostname));
}

/** The payRequest URL of `value`, or why it can never be paid. `allowPrivate`: LNURL_ALLOW_PRIVATE. */
export function parseDestination(value: string, allowPrivate: boolean): Destination {
  if (value.length > MAX_LIGHTNING_ADDRESS_CHARS) return refuse('invalid_request', `lightningAddress is longer than ${MAX_LIGHTNING_ADDRESS_CHARS} characters`);
  // A wallet's `lightning:` URI prefix is not part of the address.
  const raw = value.trim().replace(/^lightning:/i, '');
  if (/^lnurl1/i.test(raw)) return parseLnurl(raw, allowPrivate);
  return parseAddress(raw, allowPrivate);
}

function parseAddress(raw: string, allowPrivate: boolean): Destination {
  const at = raw.lastIndexOf('@');
  if (at <= 0 || at === raw.length - 1) return refuse('invalid_request', 'lightningAddress must be a Lightning Address name@domain or an LNURL-pay string lnurl1...');
  const name = raw.slice(0, at);
  const domain = raw.slice(at + 1);
  if (!NAME.test(name)) return refuse('invalid_request', 'the name of a Lightning Address takes 1-64 characters of a-z 0-9 - _ . +');
  // Only what a host (and with LNURL_ALLOW_PRIVATE a port) is made of: no path, query or credentials smuggled in.
  if (!/^[A-Za-z0-9.:[\]-]{1,260}$/.test(domain)) return refuse('invalid_request', `${domain} is not a domain`);
  let host: URL;
  try {
    host = new URL(`https://${domain}/`);
  } catch {
    return refuse('invalid_request', `${domain} is not a domain`);
  }
  const hostname = bareHost(host.hostname);
  if (isOnion(hostname)) return refuse('unsupported_destination', 'Lightning Addresses on .onion hosts are not supported');
  if (isIP(hostname) === 0 && !DNS_NAME.test(hostname)) return refuse('invalid_request', `${domain} is not a domain`);
  const problem = hostProblem(host.hostname);
  if (problem && !allowPrivate) return refuse('invalid_request', `the domain of a Lightning Address ${problem} (LNURL_ALLOW_PRIVATE is off)`);
  if (host.port !== '' && !allowPrivate) return refuse('invalid_request', 'a Lightning Address names a domain without a port');
  if (isIP(hostname) === 0 && !hostname.includes('.') && !problem) return refuse('invalid_request', `${domain} is not a domain`);
  // With LNURL_ALLOW_PRIVATE, a loopback or private host is reached over plain http.
  const scheme = allowPrivate && problem ? 'http' : 'https';
  return { ok: true, kind: 'address', url: `${scheme}://${host.host}/.well-known/lnurlp/${encodeURIComponent(name.toLowerCase())}` };
}

function parseLnurl(raw: string, allowPrivate: boolean): Destination {
  let url: string;
  try {
    const lower = raw.toLowerCase();
    if (raw !== lower && raw !== raw.toUpperCase()) return refuse('invalid_request', 'an lnurl mixes upper and lower case');
    const { prefix, words } = bech32.decode(lower as `${string}1${string}`, MAX_LIGHTNING_ADDRESS_CHARS);
    if (prefix !== 'lnurl') return refuse('invalid_request', 'an LNURL string starts with lnurl1');
    url = new TextDecoder('utf-8', { fatal: true }).decode(bech32.fromWords(words));
  } catch {
    return refuse('invalid_request', 'lightningAddress is not a valid bech32 LNURL string');
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return refuse('invalid_request', 'the lnurl does not encode a URL');
  }
  if (isOnion(parsed.hostname)) return refuse('unsupported_destination', 'LNURLs of .onion hosts are not supported');
  const refusal = urlRefusal(url, { allowPrivate });
  if (refusal) return refuse('invalid_request', `the lnurl's URL: ${refusal.message}${refusal.kind === 'forbidden' ? ' (LNURL_ALLOW_PRIVATE is off)' : ''}`);
  if (parsed.hash !== '') return refuse('invalid_request', "the lnurl's URL must not have a fragment");
  return { ok: true, kind: 'lnurl', url: parsed.toString() };
}

/** Whether a BOLT11 field holds a BOLT12 offer (`lno1...`), which no provider pays. */
export function isBolt12Offer(invoice: string): boolean {
  return /^(lightning:)?lno1/i.test(invoice.trim());
}
