/** The long-running processes (`withdrawals start | api | worker`): read config, wire, start, stop on signals. */
import { createLogger } from '../src/logger.ts';
import { createRuntime } from '../src/runtime.ts';
import { checkOperatorQuorum, loadSettings } from '../src/settings/index.ts';
import { builtinProviders } from '../src/providers/index.ts';
import type { ProviderName } from '../src/withdrawals/types.ts';
import { UsageError } from '../src/cli/exit.ts';
import { stopOnSignals } from '../src/cli/signals.ts';
import { startTracing } from '../src/telemetry/start.ts';
import { prepareSandboxService, sandboxBanner, type SandboxService } from '../src/cli/sandbox-env.ts';
import type { Config } from '../src/config.ts';
import type { ProviderDefinition } from '../src/providers/definition.ts';
import type { Logger } from '../src/logger.ts';

export interface ServeOptions {
  api: boolean;
  workers: boolean;
  provider?: string;
  concurrency?: string;
  /** `start --sandbox`: loopback sandbox providers on regtest, tokens printed at start. */
  sandbox?: boolean;
}

/** Says at start-up which network and which providers this process pays on, before it pays anything. */
function logPaymentTargets(logger: Logger, config: Config, enabled: readonly ProviderDefinition[]): void {
  if (enabled.length === 0) return;
  const names = enabled.map((d) => d.name);
  const where = `LN_NETWORK=${config.LN_NETWORK}, through ${enabled.map((d) => d.label).join(' and ')}`;
  if (config.LN_NETWORK === 'bitcoin') logger.warn({ network: config.LN_NETWORK, providers: names }, `paying real money: ${where}`);
  else logger.info({ network: config.LN_NETWORK, providers: names }, `paying on a test network: ${where}`);
}

/** `withdrawals start | api | worker`: long-running processes that stop cleanly on signals. */
export async function serve(opts: ServeOptions): Promise<void> {
  // Every variable checked before anything starts; createRuntime builds the rest of its settings before it connects.
  const sandbox: SandboxService | null = opts.sandbox ? await prepareSandboxService(process.env) : null;
  try {
    await run(opts, sandbox);
  } catch (err) {
    // A private redis-server would outlive this process.
    await sandbox?.close();
    throw err;
  }
}

async function run(opts: ServeOptions, sandbox: SandboxService | null): Promise<void> {
  // The one list of providers this process knows, handed to everything below.
  const definitions = builtinProviders;
  const { config, tracing: tracingSettings } = loadSettings(sandbox?.env ?? process.env, definitions);
  // Operators serve approvals through the API: a quorum they can never meet refuses to start.
  if (opts.api) checkOperatorQuorum(config);
  const logger = createLogger(config.LOG_LEVEL);
  let providers: ProviderName[] | undefined;
  if (opts.provider !== undefined) {
    const p = definitions.find((d) => d.name === opts.provider);
    if (!p) throw new UsageError(`--provider must be one of ${definitions.map((d) => d.name).join(', ')}`);
    providers = [p.name];
  }
  const concurrency = opts.concurrency === undefined ? undefined : Number(opts.concurrency);
  if (concurrency !== undefined && (!Number.isInteger(concurrency) || concurrency < 1)) throw new UsageError('--concurrency must be a positive integer');

  // Traces (OTEL_* variables): the SDK is loaded only when they are on.
  const tracing = await startTracing(tracingSettings, logger);
  const runtime = await createRuntime(config, { logger, providers: definitions, ...(tracing ? { tracerProvider: tracing.tracerProvider } : {}) });
  const stop = async () => {
    const { gaveUp } = await runtime.close();
    await tracing?.shutdown();
    await sandbox?.close();
    logger.info({ gaveUp }, gaveUp.length === 0 ? 'stopped' : 'stopped without waiting for Redis (exit 0)');
  };
  // Every wait of close() is bounded; past this, something escaped those bounds. A provider call
  // ends within 3 x PROVIDER_TIMEOUT_MS + 2 s whatever the provider does (the transport's deadline).
  stopOnSignals(stop, (msg) => logger.info(msg), { deadlineMs: 3 * config.PROVIDER_TIMEOUT_MS + 30_000 });
  const enabled = runtime.providers.filter((d) => runtime.clients[d.name]);
  if (enabled.length === 0) {
    logger.warn(`no provider is configured (${runtime.providers.map((d) => d.keyVariable).join(', ')}): every withdrawal will be refused`);
  }
  // A worker process has no API: it serves its own metrics and health on METRICS_PORT, from before
  // its workers start (/readyz says "workers not started" until then).
  if (opts.workers && !opts.api && config.METRICS_PORT !== null) {
    const server = await runtime.startMetricsServer(config.METRICS_PORT);
    logger.info({ address: server.addresses() }, 'metrics listening');
  }
  if (opts.workers) {
    const paying = providers ? enabled.filter((d) => providers.includes(d.name)) : enabled;
    if (!sandbox) logPaymentTargets(logger, config, paying);
    await runtime.startWorkers({ providers, submitConcurrency: concurrency });
    logger.info({ providers: paying.map((d) => d.name) }, 'workers started');
  }
  if (opts.api) {
    const app = await runtime.startApi();
    logger.info({ address: app.addresses() }, 'API listening');
    if (sandbox) {
      const address = app.server.address();
      const port = typeof address === 'object' && address ? address.port : config.PORT;
      const host = config.HOST.includes(':') ? `[${config.HOST}]` : config.HOST;
      console.log(sandboxBanner(sandbox, `http://${host}:${port}`, config.QUEUE_PREFIX));
    }
  }
}
