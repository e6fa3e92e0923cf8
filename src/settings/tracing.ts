import type { Config } from '../config.ts';
import type { TracingSettings } from '../telemetry/settings.ts';

/** The OTLP/HTTP default when `OTEL_TRACES_EXPORTER=otlp` names no endpoint (the specification's). */
const DEFAULT_OTLP_TRACES_URL = 'http://localhost:4318/v1/traces';

/**
 * Traces are on when an OTLP endpoint is set or OTEL_TRACES_EXPORTER names an exporter, and neither
 * OTEL_SDK_DISABLED nor OTEL_TRACES_EXPORTER=none says otherwise.
 */
export function tracingSettings(config: Config): TracingSettings | null {
  if (config.OTEL_SDK_DISABLED || config.OTEL_TRACES_EXPORTER === 'none') return null;
  const base = config.OTEL_EXPORTER_OTLP_ENDPOINT;
  const url = config.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? (base === undefined ? undefined : `${base.replace(/\/+$/, '')}/v1/traces`);
  const exporter = config.OTEL_TRACES_EXPORTER ?? (url === undefined ? null : 'otlp');
  if (exporter === null) return null;
  return {
    serviceName: config.OTEL_SERVICE_NAME,
    exporter,
    url: url ?? DEFAULT_OTLP_TRACES_URL,
    headers: config.OTEL_EXPORTER_OTLP_HEADERS ?? {},
    sampler: config.OTEL_TRACES_SAMPLER,
    samplerRatio: config.OTEL_TRACES_SAMPLER_ARG,
  };
}
