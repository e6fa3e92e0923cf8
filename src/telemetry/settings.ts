/** The standard sampler names (OTEL_TRACES_SAMPLER). */
export type TraceSampler =
  | 'always_on'
  | 'always_off'
  | 'traceidratio'
  | 'parentbased_always_on'
  | 'parentbased_always_off'
  | 'parentbased_traceidratio';

/** What start.ts needs to start the SDK (built from the OTEL_* variables by src/settings/tracing.ts); null: traces are off. */
export interface TracingSettings {
  serviceName: string;
  exporter: 'otlp' | 'console';
  /** The OTLP/HTTP traces URL (exporter `otlp`). */
  url: string;
  /** Export request headers: may hold a vendor's API key, so never logged. */
  headers: Record<string, string>;
  sampler: TraceSampler;
  samplerRatio: number;
}
