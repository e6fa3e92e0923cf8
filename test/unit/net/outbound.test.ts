import type { LookupAddress } from 'node:dns';
import { createServer, type Server } from 'node:http';
import type { AddressInfo, LookupFunction } from 'node:net';
import type { Agent } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createOutboundAgent, MAX_OUTBOUND_BYTES, outboundRequest, urlRefusal } from '../../../src/net/outbound.ts';

/**
 * The one outbound policy (webhooks and Lightning Address servers), with real sockets: a server on
 * 127.0.0.1 counts every request it gets, and names resolve through an injected resolver, as a
 * rebinding DNS would answer.
 */

let server: Server;
let port = 0;
const hits: string[] = [];
const agents: Agent[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    hits.push(req.url ?? '');
    if (req.url === '/redirect') return res.writeHead(302, { location: '/target' }).end();
    if (req.url === '/big') return res.writeHead(200, { 'content-type': 'text/plain' }).end('x'.repeat(MAX_OUTBOUND_BYTES + 1));
    if (req.url === '/big-chunked') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      for (let i = 0; i < 20; i++) res.write('y'.repeat(8 * 1024));
      return res.end();
    }
    if (req.url === '/slow') return void setTimeout(() => res.writeHead(200).end('late'), 2000).unref();
    return res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterEach(async () => {
  hits.length = 0;
  await Promise.all(agents.splice(0).map((a) => a.close()));
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

function resolver(table: Record<string, string[]>): LookupFunction {
  return (hostname, options, callback) => {
    const all: LookupAddress[] = (table[hostname] ?? []).map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
    if (all.length === 0) return callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }), '');
    const first = all[0];
    if (options.all || !first) return callback(null, all);
    return callback(null, first.address, first.family);
  };
}

const lookup = resolver({
  'rebind.example': ['127.0.0.1'],
  'two-faced.example': ['93.184.216.34', '127.0.0.1'],
  'mapped.example': ['::ffff:127.0.0.1'],
  'inside.example': ['10.0.0.7'],
});

function agent(allowPrivate: boolean, timeoutMs = 1000): Agent {
  const a = createOutboundAgent({ timeoutMs, connections: 2, allowPrivate, lookup });
  agents.push(a);
  return a;
}

describe('urlRefusal', () => {
  it.each([
    ['https://127.0.0.1/x', /loopback/],
    ['https://2130706433/x', /loopback/],
    ['https://127.1/x', /loopback/],
    ['https://0x7f000001/x', /loopback/],
    ['https://[::1]/x', /loopback/],
    ['https://[::ffff:127.0.0.1]/x', /IPv4-mapped/],
    ['https://[::ffff:a00:1]/x', /IPv4-mapped/],
    ['https://10.1/x', /RFC 1918/],
    ['https://169.254.169.254/latest', /link-local/],
    ['https://localhost/x', /localhost/],
    ['https://wallet.localhost/x', /localhost/],
  ])('refuses %s as forbidden before any connection', (url, why) => {
    const refusal = urlRefusal(url, { allowPrivate: false });
    expect(refusal?.kind).toBe('forbidden');
    expect(refusal?.message).toMatch(why);
  });

  it('takes only https, unless private hosts are allowed or the caller allows http (webhooks)', () => {
    expect(urlRefusal('http://example.com/x', { allowPrivate: false })?.kind).toBe('invalid');
    expect(urlRefusal('http://example.com/x', { allowPrivate: false, allowHttp: true })).toBeNull();
    expect(urlRefusal('http://127.0.0.1:9/x', { allowPrivate: true })).toBeNull();
    expect(urlRefusal('ftp://example.com/x', { allowPrivate: true })?.kind).toBe('invalid');
    expect(urlRefusal('https://user:pw@example.com/x', { allowPrivate: false })?.kind).toBe('invalid');
    expect(urlRefusal('https://example.com/.well-known/lnurlp/alice', { allowPrivate: false })).toBeNull();
  });
});

describe('outboundRequest at connect time', () => {
  it.each([
    ['a name resolving to loopback (DNS rebinding)', 'rebind.example'],
    ['a name with one public and one loopback address', 'two-faced.example'],
    ['a name resolving to an IPv4-mapped IPv6 address', 'mapped.example'],
    ['a name resolving to an RFC 1918 address', 'inside.example'],
  ])('never connects to %s', async (_what, host) => {
    const res = await outboundRequest(`http://${host}:${port}/x`, { dispatcher: agent(false), timeoutMs: 1000 });
    expect(res.kind).toBe('forbidden');
    expect(hits).toEqual([]);
  });

  it.each(['127.0.0.1', '[::ffff:127.0.0.1]', '2130706433', '127.1'])('never connects to the literal %s', async (host) => {
    const res = await outboundRequest(`http://${host}:${port}/x`, { dispatcher: agent(false), timeoutMs: 1000 });
    expect(res.kind).toBe('forbidden');
    expect(hits).toEqual([]);
  });

  it('connects to the address the checked name resolved to when private hosts are allowed', async () => {
    const res = await outboundRequest(`http://rebind.example:${port}/x`, { dispatcher: agent(true), timeoutMs: 1000 });
    expect(res).toEqual({ kind: 'answer', status: 200, contentType: 'application/json', body: '{"ok":true}' });
    expect(hits).toEqual(['/x']);
  });
});

describe('outboundRequest limits', () => {
  const url = (path: string) => `http://127.0.0.1:${port}${path}`;

  it('answers a redirect with its status and does not follow it', async () => {
    const res = await outboundRequest(url('/redirect'), { dispatcher: agent(true), timeoutMs: 1000 });
    expect(res.kind === 'answer' && res.status).toBe(302);
    expect(hits).toEqual(['/redirect']);
  });

  it('reads no more than 64 KiB, whether the length is declared or not', async () => {
    for (const path of ['/big', '/big-chunked']) {
      const res = await outboundRequest(url(path), { dispatcher: agent(true), timeoutMs: 1000 });
      expect(res).toMatchObject({ kind: 'answer', status: 200, body: null });
    }
  });

  it('gives up on a server slower than the time limit', async () => {
    const res = await outboundRequest(url('/slow'), { dispatcher: agent(true, 200), timeoutMs: 200 });
    expect(res).toMatchObject({ kind: 'unreachable', timedOut: true });
  });

  it('reports a closed port as unreachable', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const res = await outboundRequest(`http://127.0.0.1:${closedPort}/`, { dispatcher: agent(true), timeoutMs: 1000 });
    expect(res).toMatchObject({ kind: 'unreachable', timedOut: false });
  });
});
