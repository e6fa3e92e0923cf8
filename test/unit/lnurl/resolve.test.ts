import type { LookupAddress } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveLightningAddress, type ResolverSettings } from '../../../src/lnurl/resolve.ts';
import { createOutboundAgent } from '../../../src/net/outbound.ts';

/** The resolver's refusals that need no LNURL server: non-public hosts, found at connect time. */

function resolver(table: Record<string, string[]>): LookupFunction {
  return (hostname, options, callback) => {
    const all: LookupAddress[] = (table[hostname] ?? []).map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
    if (all.length === 0) return callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }), '');
    const first = all[0];
    if (options.all || !first) return callback(null, all);
    return callback(null, first.address, first.family);
  };
}

const lookup = resolver({ 'rebind.example.com': ['127.0.0.1'], 'mapped.example.com': ['::ffff:10.0.0.1'], 'both.example.com': ['93.184.216.34', '192.168.1.1'] });
const agent = createOutboundAgent({ timeoutMs: 1000, connections: 1, allowPrivate: false, lookup });
afterAll(() => agent.close());

const settings: ResolverSettings = { dispatcher: agent, timeoutMs: 1000, deadlineMs: 0, allowPrivate: false, network: 'regtest', expiryMarginSeconds: 60 };

describe('resolveLightningAddress without LNURL_ALLOW_PRIVATE', () => {
  it.each(['alice@rebind.example.com', 'alice@mapped.example.com', 'alice@both.example.com'])('ends %s lnurl_forbidden: its name resolves to a non-public address', async (address) => {
    const res = await resolveLightningAddress(address, 21_000n, settings);
    expect(res).toMatchObject({ ok: false, code: 'lnurl_forbidden', attempts: 1 });
  });

  it('ends a literal loopback host lnurl_forbidden without a request', async () => {
    const res = await resolveLightningAddress('alice@127.0.0.1', 21_000n, settings);
    expect(res).toMatchObject({ ok: false, code: 'lnurl_forbidden', attempts: 0 });
  });

  it('gives up on a name that does not resolve at the deadline: lnurl_unreachable', async () => {
    const res = await resolveLightningAddress('alice@nowhere.example.com', 21_000n, settings);
    expect(res).toMatchObject({ ok: false, code: 'lnurl_unreachable', attempts: 1 });
  });

  it('counts the deadline from the first attempt an earlier process made: past it, one more try and lnurl_unreachable', async () => {
    const now = 1_000_000_000;
    let paused = 0;
    const res = await resolveLightningAddress('alice@nowhere.example.com', 21_000n, {
      ...settings,
      deadlineMs: 600_000,
      now: () => now,
      startedAt: now - 600_000,
      pause: async () => void paused++,
    });
    expect(res).toMatchObject({ ok: false, code: 'lnurl_unreachable', attempts: 1 });
    expect(paused).toBe(0);
  });

  it('keeps retrying within the deadline counted from the first attempt, no longer', async () => {
    const start = 1_000_000_000;
    let now = start;
    const res = await resolveLightningAddress('alice@nowhere.example.com', 21_000n, {
      ...settings,
      deadlineMs: 600_000,
      now: () => now,
      startedAt: start - 400_000,
      pause: async (ms) => void (now += ms),
    });
    expect(res).toMatchObject({ ok: false, code: 'lnurl_unreachable' });
    // 200 s were left of the deadline: this process waited exactly those, not a fresh 600 s.
    expect(now - start).toBe(200_000);
  });

  it('stops waiting to ask again once the worker is stopping, deciding nothing', async () => {
    const res = await resolveLightningAddress('alice@nowhere.example.com', 21_000n, { ...settings, deadlineMs: 600_000, stopping: () => true });
    expect(res).toMatchObject({ ok: false, code: null, attempts: 1 });
  });
});
