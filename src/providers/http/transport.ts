import { request, type Dispatcher } from 'undici';
import { traceHttpRequest } from '../../telemetry/http-client.ts';
import { createProviderAgent } from './agent.ts';
import { classifyTransportError, describeTransportError, type TransportFailureKind } from './errors.ts';

/**
 * A small wrapper over undici `request`: one call, no retries (a POST is never
 * retried here; BullMQ owns submit retries), body read as text under a size cap,
 * transport errors classified once (errors.ts) instead of thrown.
 */

export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
/**
 * Backstop for a server that trickles bytes just inside the per-phase timeouts.
 * undici's headers/body timers have ~1 s resolution, hence the slack.
 */
const DEADLINE_FACTOR = 3;
const DEADLINE_SLACK_MS = 2_000;

export interface HttpRequest {
  method: 'GET' | 'POST';
  /** Path and query relative to the base URL, e.g. `/api/v2/tx?page=1&size=50`. */
  path: string;
  headers: Record<string, string>;
  /** The exact text sent (serialize once, sign these bytes). */
  body?: string;
}

export interface HttpResponse {
  status: number;
  /** Lower-case names, first value only. */
  headers: Record<string, string>;
  text: string;
  /** The body was longer than the cap; `text` holds its beginning only. */
  truncated: boolean;
}

export type HttpResult =
  | { ok: true; response: HttpResponse }
  | { ok: false; failure: TransportFailureKind; reason: string; status?: number };

export interface HttpTransportOptions {
  baseUrl: string;
  /** PROVIDER_TIMEOUT_MS: connect (own agent only), headers and body timeouts, in ms. */
  timeoutMs: number;
  /** Injected dispatcher (MockAgent, loopback Agent); the caller owns and closes it. */
  dispatcher?: Dispatcher;
  /** @defaultValue 1 MiB */
  maxBodyBytes?: number;
}

export interface HttpTransport {
  /** Absolute URL of a request path, under the base URL (which may carry a path prefix). */
  url(path: string): URL;
  send(req: HttpRequest): Promise<HttpResult>;
  close(): Promise<void>;
}

export function createHttpTransport(options: HttpTransportOptions): HttpTransport {
  const base = options.baseUrl.replace(/\/+$/, '');
  // Only a dispatcher this transport created is closed by it.
  const owned = options.dispatcher === undefined;
  const dispatcher: Dispatcher = options.dispatcher ?? createProviderAgent(options.timeoutMs);
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const url = (path: string): URL => new URL(`${base}${path}`);

  async function exchange(req: HttpRequest): Promise<HttpResult> {
    let answer: Dispatcher.ResponseData;
    try {
      answer = await request(url(req.path), {
        dispatcher,
        method: req.method,
        headers: req.headers,
        body: req.body,
        headersTimeout: options.timeoutMs,
        bodyTimeout: options.timeoutMs,
        signal: AbortSignal.timeout(options.timeoutMs * DEADLINE_FACTOR + DEADLINE_SLACK_MS),
      });
    } catch (err) {
      return { ok: false, failure: classifyTransportError(err), reason: describeTransportError(err) };
    }
    try {
      const { text, truncated } = await readCapped(answer.body, maxBodyBytes);
      return { ok: true, response: { status: answer.statusCode, headers: firstValues(answer.headers), text, truncated } };
    } catch (err) {
      // Headers arrived, so the provider saw the request: whatever broke now is unknown.
      const reason = `${describeTransportError(err)} while reading the HTTP ${answer.statusCode} body`;
      return { ok: false, failure: 'unknown', reason, status: answer.statusCode };
    }
  }

  // A client span per request inside a traced provider call; nothing at all when traces are off.
  const send = (req: HttpRequest): Promise<HttpResult> => traceHttpRequest(req.method, () => url(req.path), () => exchange(req));

  return {
    url,
    send,
    close: async () => {
      if (owned) await dispatcher.close();
    },
  };
}

async function readCapped(
  body: Dispatcher.ResponseData['body'],
  maxBytes: number,
): Promise<{ text: string; truncated: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  let truncated = false;
  for await (const chunk of body) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    if (size + buf.length > maxBytes) {
      chunks.push(buf.subarray(0, maxBytes - size));
      truncated = true;
      break;
    }
    chunks.push(buf);
    size += buf.length;
  }
  if (truncated) body.destroy();
  return { text: Buffer.concat(chunks).toString('utf8'), truncated };
}

function firstValues(headers: Dispatcher.ResponseData['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) out[name.toLowerCase()] = first;
  }
  return out;
}
