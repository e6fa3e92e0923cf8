import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { HttpResult } from '../providers/http/transport.ts';
import { TRACER_NAME } from './attributes.ts';

/**
 * A client span around one provider HTTP request: method, host, port, path without the query,
 * status code, and the transport failure's kind. Never a header, a query or a body. Made only
 * inside a recording span (a traced provider call), so nothing is made when traces are off.
 */
export async function traceHttpRequest(method: string, url: () => URL, exchange: () => Promise<HttpResult>): Promise<HttpResult> {
  if (!trace.getSpan(context.active())?.isRecording()) return exchange();
  const target = url();
  const attributes = {
    'http.request.method': method,
    'server.address': target.hostname,
    'server.port': Number(target.port || (target.protocol === 'https:' ? 443 : 80)),
    'url.path': target.pathname,
  };
  return trace.getTracer(TRACER_NAME).startActiveSpan(method, { kind: SpanKind.CLIENT, attributes }, async (span) => {
    try {
      const result = await exchange();
      const status = result.ok ? result.response.status : result.status;
      if (status !== undefined) span.setAttribute('http.response.status_code', status);
      if (!result.ok) span.setAttribute('error.type', result.failure);
      if (!result.ok || result.response.status >= 400) span.setStatus({ code: SpanStatusCode.ERROR });
      return result;
    } finally {
      span.end();
    }
  });
}
