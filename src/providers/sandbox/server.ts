/**
 * A loopback HTTP server for one fake provider. It reads each body whole, lets the provider's
 * handler decide the outcome, delays answers by `latencyMs`, counts every request, and closes
 * promptly even while it holds hung sockets.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { RequestCounter } from './counts.ts';
import type { SandboxProvider } from './ledger.ts';
import { jsonAnswer, type Handler, type Outcome, type Routed } from './outcome.ts';

const MAX_BODY_BYTES = 1024 * 1024;

export interface LoopbackOptions {
  provider: SandboxProvider;
  host: string;
  port: number;
  latencyMs: number;
  counter: RequestCounter;
  handle: Handler;
}

export interface LoopbackServer {
  url: string;
  close(): Promise<void>;
}

export async function startLoopback(options: LoopbackOptions): Promise<LoopbackServer> {
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let closing = false;

  const deliver = (res: ServerResponse, routed: Routed): void => {
    const { outcome } = routed;
    if (outcome.kind === 'hang') {
      options.counter.add(options.provider, routed.route, 'hang');
      return;
    }
    const act = (): void => {
      if (outcome.kind === 'reset') {
        options.counter.add(options.provider, routed.route, 'reset');
        res.socket?.resetAndDestroy();
        return;
      }
      const { answer } = outcome;
      options.counter.add(options.provider, routed.route, String(answer.status));
      res.writeHead(answer.status, {
        ...answer.headers,
        'content-type': answer.contentType,
        'content-length': Buffer.byteLength(answer.body),
      });
      res.end(answer.body);
    };
    if (options.latencyMs <= 0) {
      act();
      return;
    }
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (!closing) act();
    }, options.latencyMs);
    timers.add(timer);
  };

  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('error', () => undefined);
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://sandbox.invalid');
      const method = (req.method ?? 'GET').toUpperCase();
      if (tooLarge) {
        deliver(res, { route: `${method} ${url.pathname}`, outcome: jsonAnswer(413, { message: 'body too large' }) });
        return;
      }
      let routed: Routed;
      try {
        routed = options.handle({
          method,
          path: url.pathname,
          query: url.searchParams,
          headers: req.headers,
          rawBody: Buffer.concat(chunks),
        });
      } catch (error) {
        const outcome: Outcome = jsonAnswer(500, { message: `sandbox error: ${String(error)}` });
        routed = { route: `${method} ${url.pathname}`, outcome };
      }
      deliver(res, routed);
    });
  };

  const server = createServer(onRequest);
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('sandbox server has no TCP address');
  const hostForUrl = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  return {
    url: `http://${hostForUrl}:${address.port}`,
    close: async () => {
      closing = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}
