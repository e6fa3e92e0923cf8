import type { TracerProvider } from '@opentelemetry/api';
import type { Logger } from '../logger.ts';
import type { TracingSettings } from './settings.ts';

export interface StartedTracing {
  /** Registered as the global provider; give it to createRuntime (RuntimeOptions.tracerProvider). */
  tracerProvider: TracerProvider;
  /** Exports the spans still buffered, then stops. */
  shutdown(): Promise<void>;
}

type SdkModule = { startSdk(settings: TracingSettings, logger: Logger): StartedTracing };

/** How long a shutdown waits for the last spans to be exported. */
const SHUTDOWN_BOUND_MS = 5000;

/**
 * Starts the OpenTelemetry SDK when `settings` turn traces on (tracingSettings), else does nothing
 * and returns null: the SDK module is imported only here, and only then. `load` is for tests.
 */
export async function startTracing(
  settings: TracingSettings | null,
  logger: Logger,
  load: () => Promise<SdkModule> = () => import('./sdk.ts'),
): Promise<StartedTracing | null> {
  if (settings === null) return null;
  const { startSdk } = await load();
  const started = startSdk(settings, logger);
  // The origin only: a path or query may hold a vendor's token.
  const where = settings.exporter === 'otlp' ? new URL(settings.url).origin : 'stdout';
  logger.info({ exporter: settings.exporter, where, serviceName: settings.serviceName, sampler: settings.sampler }, 'traces on');
  return {
    tracerProvider: started.tracerProvider,
    async shutdown() {
      let timer: NodeJS.Timeout | undefined;
      const bound = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, SHUTDOWN_BOUND_MS);
        timer.unref();
      });
      await Promise.race([started.shutdown().catch((err: unknown) => logger.warn({ error: err instanceof Error ? err.name : 'error' }, 'traces: the last spans could not be exported')), bound]);
      clearTimeout(timer);
    },
  };
}
