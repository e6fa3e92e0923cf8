/**
 * The OpenTelemetry SDK: imported by start.ts only when traces are on, so a process without them
 * never loads it.
 */
import { diag, DiagLogLevel, type DiagLogFunction } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  ConsoleSpanExporter,
  NodeTracerProvider,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  type Sampler,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-node';
import type { Logger } from '../logger.ts';
import { createScrubber } from '../providers/http/scrub.ts';
import type { StartedTracing } from './start.ts';
import type { TracingSettings } from './settings.ts';

function sampler(s: TracingSettings): Sampler {
  switch (s.sampler) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return new TraceIdRatioBasedSampler(s.samplerRatio);
    case 'parentbased_always_on':
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(s.samplerRatio) });
  }
}

/** The SDK's own complaints (an export that failed) go to the log, header values scrubbed out. */
function diagToLogger(logger: Logger, headers: Record<string, string>): void {
  const scrub = createScrubber(Object.values(headers));
  const say =
    (level: 'warn' | 'debug'): DiagLogFunction =>
    (message) =>
      logger[level]({ component: 'opentelemetry' }, scrub.text(String(message)));
  diag.setLogger({ error: say('warn'), warn: say('warn'), info: say('debug'), debug: say('debug'), verbose: say('debug') }, DiagLogLevel.WARN);
}

/** Starts a tracer provider exporting spans in batches, registered as the global one. */
export function startSdk(settings: TracingSettings, logger: Logger): StartedTracing {
  diagToLogger(logger, settings.headers);
  const exporter: SpanExporter =
    settings.exporter === 'console' ? new ConsoleSpanExporter() : new OTLPTraceExporter({ url: settings.url, headers: settings.headers });
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': settings.serviceName }),
    sampler: sampler(settings),
    spanProcessors: [new BatchSpanProcessor(exporter)],
  });
  // Global context manager (AsyncLocalStorage) and W3C propagator: the active span follows awaits
  // and travels in job options.
  provider.register();
  return {
    tracerProvider: provider,
    async shutdown() {
      await provider.shutdown();
      diag.disable();
    },
  };
}
