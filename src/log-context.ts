/**
 * What every log line says of where it was written: the HTTP request it serves (`reqId`, its
 * `x-request-id`) and, with traces on, the active span (`trace_id`, `span_id`). Added by the
 * logger's mixin (logger.ts), so lines written through any logger inside a request carry them,
 * not only those of the request's own child logger.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { isSpanContextValid, trace } from '@opentelemetry/api';

export interface RequestLogContext {
  /** The request's id: its `x-request-id`. */
  reqId: string;
}

const requests = new AsyncLocalStorage<RequestLogContext>();

/** Runs `fn` as part of a request: log lines written meanwhile (and after its awaits) carry its id. */
export function inRequestContext<T>(ctx: RequestLogContext, fn: () => T): T {
  return requests.run(ctx, fn);
}

/**
 * The fields a log line gets from its context. `hasReqId`: the logger's own bindings carry the
 * request id already (a request's child logger), so it is not written twice.
 */
export function logContextFields(hasReqId: boolean): Record<string, string> {
  const fields: Record<string, string> = {};
  const ctx = requests.getStore();
  if (ctx && !hasReqId) fields.reqId = ctx.reqId;
  const span = trace.getActiveSpan();
  if (span) {
    const sc = span.spanContext();
    if (isSpanContextValid(sc)) {
      fields.trace_id = sc.traceId;
      fields.span_id = sc.spanId;
    }
  }
  return fields;
}
