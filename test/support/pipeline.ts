import { randomUUID } from 'node:crypto';
import type { TracerProvider } from '@opentelemetry/api';
import type { FastifyInstance } from 'fastify';
import { Writable } from 'node:stream';
import type { Config } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../src/providers/sandbox/index.ts';
import { builtinProviders, sandboxVariables, type ProviderDefinition } from '../../src/providers/index.ts';
import { createRuntime, type Runtime } from '../../src/runtime.ts';
import { loadServiceConfig } from '../../src/settings/index.ts';
import type { RunningWorkers } from '../../src/queues/workers.ts';
import { deleteKeysUnder, redisUrl } from './redis.ts';
import { callApi } from './http.ts';

export const TEST_TOKEN = 'test-token-00001';
/** The operator `ops`: resolves, approves, pays on-chain, reads everything. */
export const OPERATOR_TOKEN = 'test-operator-0001';

export interface Pipeline {
  sandbox: Sandbox;
  runtime: Runtime;
  config: Config;
  api: FastifyInstance;
  workers: RunningWorkers | null;
  baseUrl: string;
  /** Every log line written, for assertions about logging. */
  logLines: string[];
  /** Calls the API with the test token (the producer `tester`). */
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: any }>;
  /** Calls the API as the operator `ops`. */
  operator(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: any }>;
  close(): Promise<void>;
}

export interface PipelineOptions {
  sandbox?: Partial<SandboxOptions>;
  env?: Record<string, string>;
  workers?: boolean;
  /** Traces on, into this (globally registered) provider. */
  tracerProvider?: TracerProvider;
  /** The runtime's provider definitions (default: the built-in ones); their variables come from `env`. */
  providers?: readonly ProviderDefinition[];
}

/**
 * Sandbox providers + API + workers in this process, on the test Redis under a fresh prefix;
 * close() stops them and deletes every key under that prefix.
 */
export async function startPipeline(opts: PipelineOptions = {}): Promise<Pipeline> {
  const sandbox = await startSandbox({
    network: 'regtest',
    aurpay: { apiKey: 'sandbox-aurpay-key-1' },
    turinpay: { apiKey: 'sandbox-turinpay-key-1' },
    pendingLookups: 1,
    ...opts.sandbox,
  });
  // The one list of providers of this pipeline: the built-in ones unless the test brings its own.
  const providers = opts.providers ?? builtinProviders;
  const config = loadServiceConfig({
    REDIS_URL: redisUrl(),
    QUEUE_PREFIX: `e2e-${randomUUID().slice(0, 8)}`,
    PORT: '0',
    API_TOKENS: `tester=${TEST_TOKEN}`,
    OPERATOR_TOKENS: `ops=${OPERATOR_TOKEN}`,
    LN_NETWORK: 'regtest',
    ...sandboxVariables(builtinProviders, sandbox, (name) => `sandbox-${name}-key-1`),
    PROVIDER_TIMEOUT_MS: '1000',
    SETTLE_POLL_MS: '100',
    SETTLE_POLL_MAX_MS: '500',
    SUBMIT_BACKOFF_MS: '100',
    SWEEP_EVERY_MS: '500',
    SUBMIT_LOCK_MS: '2000',
    LOG_LEVEL: 'info',
    ...opts.env,
  }, providers);
  const logLines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      logLines.push(String(chunk));
      cb();
    },
  });
  const runtime = await createRuntime(config, {
    logger: createLogger(config.LOG_LEVEL, sink),
    providers,
    ...(opts.tracerProvider ? { tracerProvider: opts.tracerProvider } : {}),
  });
  const workers = opts.workers === false ? null : await runtime.startWorkers();
  const api = await runtime.startApi();
  const addr = api.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  const baseUrl = `http://127.0.0.1:${port}`;
  return {
    sandbox,
    runtime,
    config,
    api,
    workers,
    baseUrl,
    logLines,
    call: (method, path, body, headers) => callApi(baseUrl, TEST_TOKEN, method, path, body, headers),
    operator: (method, path, body, headers) => callApi(baseUrl, OPERATOR_TOKEN, method, path, body, headers),
    async close() {
      await runtime.close();
      await sandbox.close();
      await deleteKeysUnder(config.REDIS_URL, config.QUEUE_PREFIX);
    },
  };
}

/** Polls `check` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 20_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
