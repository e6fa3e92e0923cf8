import { SpanStatusCode, type Attributes, type Span, type Tracer, type TracerProvider } from '@opentelemetry/api';
import type { JobsOptions, Telemetry } from 'bullmq';
import { BullMQOtel } from 'bullmq-otel';
import { TRACER_NAME } from './attributes.ts';
import { withoutHousekeeping } from './bullmq-spans.ts';

/**
 * Traces of one process: only `@opentelemetry/api` here (a no-op unless an SDK is registered); the
 * SDK itself is loaded by start.ts, and only when the configuration turns traces on.
 */

export interface Tracing {
  /** The service's own spans: HTTP requests, enqueue, provider calls. */
  tracer: Tracer;
  /** BullMQ's telemetry hooks: a span per job, under the context the job was added in. */
  bullmq: Telemetry;
}

/**
 * Tracing from a tracer provider, or null (traces off: no hook installed, no span made). The
 * provider must be the registered global one: its context manager carries the active span across
 * awaits, and its propagator carries it into job options.
 */
export function createTracing(provider: TracerProvider | undefined, opts: { bullmqHousekeeping?: boolean } = {}): Tracing | null {
  if (!provider) return null;
  return { tracer: provider.getTracer(TRACER_NAME), bullmq: withoutHousekeeping(new BullMQOtel(TRACER_NAME), opts.bullmqHousekeeping ?? false) };
}

/**
 * Job options that carry the caller's trace context. Set per job: jobs added in one turn of the
 * event loop are written with one addBulk, whose own context is only the first caller's.
 */
export function jobTraceOptions(telemetry: Telemetry | undefined): Pick<JobsOptions, 'telemetry'> {
  if (!telemetry) return {};
  const cm = telemetry.contextManager;
  return { telemetry: { metadata: cm.getMetadata(cm.active()) } };
}

/**
 * Runs `fn` inside a new active span and ends it. A thrown error marks the span as an error with
 * the error's name only: messages may quote what a caller sent.
 */
export async function inSpan<T>(tracer: Tracer, name: string, attributes: Attributes, fn: (span: Span) => Promise<T>): Promise<T> {
  return tracer.startActiveSpan(name, { attributes }, async (span) => {
    try {
      return await fn(span);
    } catch (err) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.name : 'error' });
      throw err;
    } finally {
      span.end();
    }
  });
}
