import { Agent, errors } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { sendIdempotentGet } from '../../../../src/providers/http/get-retry.ts';
import { createHttpTransport, type HttpTransport } from '../../../../src/providers/http/transport.ts';
import { closedPortOrigin, startLoopback, type Loopback } from '../helpers/loopback.ts';
import { mockOrigin } from '../helpers/mock.ts';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function loopback(handler: Parameters<typeof startLoopback>[0]): Promise<Loopback> {
  const server = await startLoopback(handler);
  cleanups.push(() => server.close());
  return server;
}

function transportFor(baseUrl: string, extra: { maxBodyBytes?: number; timeoutMs?: number } = {}): HttpTransport {
  const transport = createHttpTransport({ baseUrl, timeoutMs: extra.timeoutMs ?? 300, ...extra });
  cleanups.push(() => transport.close());
  return transport;
}

const post = { method: 'POST' as const, path: '/pay', headers: { 'content-type': 'application/json' }, body: '{"a":1}' };

describe('createHttpTransport (loopback, own Agent)', () => {
  it('sends the exact body and reads the answer as text with lower-case headers', async () => {
    const server = await loopback((_req, res) => {
      res.writeHead(201, { 'Content-Type': 'application/json', 'X-Thing': 'yes' });
      res.end('{"ok":true}');
    });
    const result = await transportFor(`${server.origin}/prefix/`).send(post);
    expect(result).toEqual({
      ok: true,
      response: { status: 201, headers: expect.objectContaining({ 'x-thing': 'yes' }), text: '{"ok":true}', truncated: false },
    });
    expect(server.received[0]).toMatchObject({ method: 'POST', url: '/prefix/pay', body: '{"a":1}' });
  });

  it('connection refused → not_sent', async () => {
    const result = await transportFor(await closedPortOrigin()).send(post);
    expect(result).toEqual({ ok: false, failure: 'not_sent', reason: 'Error (ECONNREFUSED)' });
  });

  it('reset after the request was written → unknown', async () => {
    const server = await loopback((_req, _res, socket) => socket.resetAndDestroy());
    const result = await transportFor(server.origin).send(post);
    expect(result).toMatchObject({ ok: false, failure: 'unknown' });
    expect(server.received).toHaveLength(1);
  });

  it('no answer after the request was written (headers timeout) → unknown', async () => {
    const server = await loopback(() => undefined);
    const result = await transportFor(server.origin, { timeoutMs: 150 }).send(post);
    expect(result).toEqual({ ok: false, failure: 'unknown', reason: 'HeadersTimeoutError (UND_ERR_HEADERS_TIMEOUT)' });
  });

  it('body that stops mid-way (body timeout) → unknown, with the status seen', async () => {
    const server = await loopback((_req, res) => {
      res.writeHead(200, { 'content-length': '100' });
      res.write('{"code":0,');
    });
    const result = await transportFor(server.origin, { timeoutMs: 150 }).send(post);
    expect(result).toMatchObject({ ok: false, failure: 'unknown', status: 200 });
    expect(result.ok ? '' : result.reason).toContain('UND_ERR_BODY_TIMEOUT');
  });

  it('body cut short by the server closing → unknown', async () => {
    const server = await loopback((_req, res, socket) => {
      res.writeHead(200, { 'content-length': '100' });
      res.write('{"code":0,', () => socket.destroy());
    });
    const result = await transportFor(server.origin).send(post);
    expect(result).toMatchObject({ ok: false, failure: 'unknown', status: 200 });
  });

  it('caps the body size and says it truncated', async () => {
    const server = await loopback((_req, res) => res.end('x'.repeat(5000)));
    const result = await transportFor(server.origin, { maxBodyBytes: 1000 }).send(post);
    expect(result).toMatchObject({ ok: true, response: { status: 200, truncated: true } });
    expect(result.ok && result.response.text.length).toBe(1000);
  });
});

describe('createHttpTransport (MockAgent)', () => {
  it('connect timeout → not_sent', async () => {
    const { agent, pool } = mockOrigin('http://provider.test');
    cleanups.push(() => agent.close());
    pool.intercept({ path: '/pay', method: 'POST' }).replyWithError(new errors.ConnectTimeoutError());
    const result = await createHttpTransport({ baseUrl: 'http://provider.test', timeoutMs: 100, dispatcher: agent }).send(post);
    expect(result).toEqual({ ok: false, failure: 'not_sent', reason: 'ConnectTimeoutError (UND_ERR_CONNECT_TIMEOUT)' });
  });

  it('does not close an injected dispatcher', async () => {
    const agent = new Agent();
    cleanups.push(() => agent.close());
    await createHttpTransport({ baseUrl: 'http://provider.test', timeoutMs: 100, dispatcher: agent }).close();
    expect(agent.closed).toBe(false);
  });
});

describe('sendIdempotentGet', () => {
  const get = { method: 'GET' as const, path: '/status', headers: {} };

  it('retries a transport error once, then returns the answer', async () => {
    const { agent, pool } = mockOrigin('http://provider.test');
    cleanups.push(() => agent.close());
    pool.intercept({ path: '/status' }).replyWithError(new errors.SocketError('other side closed'));
    pool.intercept({ path: '/status' }).reply(200, 'ok');
    const transport = createHttpTransport({ baseUrl: 'http://provider.test', timeoutMs: 100, dispatcher: agent });
    const result = await sendIdempotentGet(transport, get, 1);
    expect(result).toMatchObject({ ok: true, response: { status: 200, text: 'ok' } });
    agent.assertNoPendingInterceptors();
  });

  it('makes 2 attempts at most and returns the last failure', async () => {
    const { agent, pool } = mockOrigin('http://provider.test');
    cleanups.push(() => agent.close());
    pool.intercept({ path: '/status' }).replyWithError(new errors.SocketError('x')).times(2);
    pool.intercept({ path: '/status' }).reply(200, 'never reached');
    const transport = createHttpTransport({ baseUrl: 'http://provider.test', timeoutMs: 100, dispatcher: agent });
    const result = await sendIdempotentGet(transport, get, 1);
    expect(result).toEqual({ ok: false, failure: 'unknown', reason: 'SocketError (UND_ERR_SOCKET)' });
    expect(agent.pendingInterceptors()).toHaveLength(1);
  });

  it('does not retry HTTP answers such as 503', async () => {
    const { agent, pool } = mockOrigin('http://provider.test');
    cleanups.push(() => agent.close());
    pool.intercept({ path: '/status' }).reply(503, 'busy');
    pool.intercept({ path: '/status' }).reply(200, 'never reached');
    const transport = createHttpTransport({ baseUrl: 'http://provider.test', timeoutMs: 100, dispatcher: agent });
    const result = await sendIdempotentGet(transport, get, 1);
    expect(result).toMatchObject({ ok: true, response: { status: 503 } });
    expect(agent.pendingInterceptors()).toHaveLength(1);
  });
});
