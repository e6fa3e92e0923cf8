import type { LookupAddress } from 'node:dns';
import { createServer, type Server } from 'node:http';
import type { AddressInfo, LookupFunction } from 'node:net';
import type { Agent } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { WithdrawalEvent } from '../../src/events/types.ts';
import { createPoster, createWebhookAgent } from '../../src/webhooks/deliver.ts';
import type { Endpoint } from '../../src/webhooks/endpoint.ts';
import { newSecret } from '../../src/webhooks/secret.ts';

/**
 * The connect-time check with real sockets: a receiver on 127.0.0.1 counts every request, and names
 * resolve through an injected resolver (as a rebinding DNS would answer), so registration never saw them.
 */

let receiver: Server;
let port = 0;
let requests = 0;
const agents: Agent[] = [];

beforeAll(async () => {
  receiver = createServer((req, res) => {
    requests++;
    req.resume();
    req.on('end', () => res.writeHead(204).end());
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  port = (receiver.address() as AddressInfo).port;
});
afterEach(async () => {
  await Promise.all(agents.splice(0).map((a) => a.close()));
});
afterAll(async () => new Promise((resolve) => receiver.close(resolve)));

function resolver(table: Record<string, string[]>): LookupFunction {
  return (hostname, options, callback) => {
    const all: LookupAddress[] = (table[hostname] ?? []).map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
    if (all.length === 0) return callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }), '');
    const first = all[0];
    if (options.all || !first) return callback(null, all);
    return callback(null, first.address, first.family);
  };
}

const lookup = resolver({ 'rebind.example': ['127.0.0.1'], 'two-faced.example': ['93.184.216.34', '127.0.0.1'] });

function post(url: string, allowPrivate: boolean) {
  const agent = createWebhookAgent({ timeoutMs: 2000, connections: 2, allowPrivate, lookup });
  agents.push(agent);
  const endpoint: Endpoint = {
    id: 'wh_test',
    url,
    events: null,
    secret: newSecret(),
    since: 'evt_0',
    createdAt: new Date().toISOString(),
    owner: { name: 'tester', role: 'producer' },
    source: 'api',
  };
  const event: WithdrawalEvent = { id: 'evt_00000000000010000000000000', type: 'withdrawal.queued', timestamp: new Date().toISOString(), data: { id: 'w-1' } };
  return createPoster(agent, 2000)(endpoint, event);
}

describe('the webhook agent at connect time', () => {
  it('never connects to a name that resolves to loopback, and says why', async () => {
    const before = requests;
    const res = await post(`http://rebind.example:${port}/hook`, false);
    expect(res).toEqual({ ok: false, reason: expect.stringMatching(/^refused: 127\.0\.0\.1 is not a public address \(loopback\)/) });
    expect(requests).toBe(before);
  });

  it('refuses a name when one of its addresses is private', async () => {
    const before = requests;
    const res = await post(`http://two-faced.example:${port}/hook`, false);
    expect(res.ok).toBe(false);
    expect(res.ok ? '' : res.reason).toMatch(/^refused: 127\.0\.0\.1 is not a public address \(loopback\)/);
    expect(requests).toBe(before);
  });

  it('refuses an address literal stored before the policy (no DNS involved)', async () => {
    const before = requests;
    for (const url of [`http://127.0.0.1:${port}/hook`, `http://[::ffff:127.0.0.1]:${port}/hook`]) {
      const res = await post(url, false);
      expect(res.ok ? '' : res.reason, url).toMatch(/^refused: .* is not a public address \((loopback|IPv4-mapped IPv6)\)/);
    }
    expect(requests).toBe(before);
  });

  it('connects through the same resolver when private addresses are allowed', async () => {
    const before = requests;
    expect(await post(`http://rebind.example:${port}/hook`, true)).toEqual({ ok: true, status: 204 });
    expect(await post(`http://127.0.0.1:${port}/hook`, true)).toEqual({ ok: true, status: 204 });
    expect(requests).toBe(before + 2);
  });
});
