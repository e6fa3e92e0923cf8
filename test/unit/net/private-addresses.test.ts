import type { LookupAddress } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createUrlCheck, hostProblem, refusedRange } from '../../../src/net/private-addresses.ts';

/** A resolver that knows a few names; any other name fails like a name without DNS records. */
function fakeLookup(table: Record<string, string[]>, calls: string[] = []): LookupFunction {
  return (hostname, _options, callback) => {
    calls.push(hostname);
    const addresses = table[hostname];
    setImmediate(() => {
      if (!addresses) return callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }), '');
      const all: LookupAddress[] = addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
      callback(null, all);
    });
  };
}

describe('refusedRange', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['10.0.0.1', 'RFC 1918 private'],
    ['172.16.5.4', 'RFC 1918 private'],
    ['192.168.1.1', 'RFC 1918 private'],
    ['169.254.169.254', 'link-local'],
    ['100.64.0.1', 'CGNAT 100.64.0.0/10'],
    ['0.0.0.0', 'unspecified'],
    ['255.255.255.255', 'broadcast'],
    ['224.0.0.1', 'multicast'],
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['fe80::1', 'link-local'],
    ['fd00::1', 'unique-local fc00::/7'],
    ['fc00::1', 'unique-local fc00::/7'],
    ['ff02::1', 'multicast'],
    ['::ffff:7f00:1', 'IPv4-mapped IPv6'],
    ['::ffff:93.184.216.34', 'IPv4-mapped IPv6'],
    ['::7f00:1', 'IPv4-compatible IPv6'],
    ['64:ff9b::7f00:1', 'NAT64'],
    ['2002:7f00:1::', '6to4'],
  ])('refuses %s as %s', (address, range) => {
    expect(refusedRange(address)).toBe(range);
  });

  it.each(['93.184.216.34', '8.8.8.8', '1.1.1.1', '2606:4700:4700::1111', '2a00:1450:4001:80b::200e'])('lets the public address %s through', (address) => {
    expect(refusedRange(address)).toBeNull();
  });

  it('refuses what is not an address at all', () => {
    expect(refusedRange('example.com')).toBe('not an IP address');
  });
});

describe('hostProblem', () => {
  it.each([
    ['http://127.0.0.1/', /loopback/],
    ['http://2130706433/', /loopback/],
    ['http://0x7f.1/', /loopback/],
    ['http://017700000001/', /loopback/],
    ['http://127.0.0.1./', /loopback/],
    ['http://[::ffff:127.0.0.1]/', /IPv4-mapped/],
    ['http://[::1]/', /loopback/],
    ['http://0/', /unspecified/],
    ['http://localhost/', /localhost/],
    ['http://LOCALHOST./', /localhost/],
    ['http://api.localhost/', /localhost/],
  ])('refuses %s before any resolution', (url, problem) => {
    expect(hostProblem(new URL(url).hostname)).toMatch(problem);
  });

  it.each(['https://93.184.216.34/hook', 'https://example.com/x', 'https://localhost.example.com/', 'https://[2606:4700:4700::1111]/'])('has nothing against %s', (url) => {
    expect(hostProblem(new URL(url).hostname)).toBeNull();
  });
});

describe('createUrlCheck', () => {
  const lookup = fakeLookup({
    'inside.example': ['10.1.2.3'],
    'mixed.example': ['93.184.216.34', '192.168.0.7'],
    'public.example': ['93.184.216.34', '2606:4700:4700::1111'],
  });
  const check = createUrlCheck({ allowPrivate: false, lookup });

  it('refuses a name when any of its addresses is private', async () => {
    expect(await check('https://inside.example/hook')).toBe('must not point at a host that resolves to a non-public address (RFC 1918 private)');
    expect(await check('https://mixed.example/hook')).toMatch(/resolves to a non-public address \(RFC 1918 private\)/);
  });

  it('accepts a name whose addresses are all public, and one that does not resolve', async () => {
    expect(await check('https://public.example/hook')).toBeNull();
    expect(await check('https://unknown.example/hook')).toBeNull();
  });

  it('refuses literals without asking DNS', async () => {
    const calls: string[] = [];
    const counted = createUrlCheck({ allowPrivate: false, lookup: fakeLookup({}, calls) });
    expect(await counted('http://169.254.169.254/latest/meta-data')).toMatch(/link-local/);
    expect(await counted('https://93.184.216.34/hook')).toBeNull();
    expect(calls).toEqual([]);
  });

  it('accepts a name whose resolution does not answer in time', async () => {
    const never: LookupFunction = () => undefined;
    const slow = createUrlCheck({ allowPrivate: false, lookup: never, resolveTimeoutMs: 50 });
    const started = Date.now();
    expect(await slow('https://slow.example/hook')).toBeNull();
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('lets everything through with allowPrivate', async () => {
    const open = createUrlCheck({ allowPrivate: true, lookup });
    expect(await open('http://127.0.0.1:8080/h')).toBeNull();
    expect(await open('http://localhost/')).toBeNull();
    expect(await open('https://inside.example/hook')).toBeNull();
  });
});
