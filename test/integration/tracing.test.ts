/**
 * Traces: one payout through the API, the queues and the sandbox providers is one trace, from the
 * HTTP request to the settlement's lookup, with the right parents and nothing secret in any span.
 * With traces off the SDK is never loaded and the runtime makes no span, even under a registered one.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { context, propagation, SpanKind, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, NodeTracerProvider, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-node';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { fixedFault } from '../../src/providers/sandbox/index.ts';
import { submitJobId } from '../../src/queues/names.ts';
import { tracingSettings } from '../../src/settings/tracing.ts';
import { startTracing } from '../../src/telemetry/start.ts';
import { withdrawalBody } from '../support/invoices.ts';
import { eventually, OPERATOR_TOKEN, startPipeline, TEST_TOKEN, type Pipeline } from '../support/pipeline.ts';

const AURPAY_KEY = 'sandbox-aurpay-key-1';
const TURINPAY_KEY = 'sandbox-turinpay-key-1';
const WEBHOOK_SECRET = `whsec_${randomBytes(32).toString('base64')}`;
const WEBHOOK_QUERY_TOKEN = 'hook-query-TRACETEST-7777';
const METADATA_VALUE = 'meta-TRACETEST-8888';

const exporter = new InMemorySpanExporter();
const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });

beforeAll(() => {
  provider.register();
});
afterAll(async () => {
  await provider.shutdown();
  trace.disable();
  context.disable();
  propagation.disable();
});

const spanId = (s: ReadableSpan) => s.spanContext().spanId;
const parentId = (s: ReadableSpan) => s.parentSpanContext?.spanId;
const traceId = (s: ReadableSpan) => s.spanContext().traceId;

/** Every text a span carries to the collector: name, attribute values, events, status message. */
function spanTexts(s: ReadableSpan): string[] {
  const values = [...Object.values(s.attributes), ...s.events.flatMap((e) => [e.name, ...Object.values(e.attributes ?? {})])];
  return [s.name, s.status.message ?? '', ...values.flat().map(String)];
}

describe('traces on: one payout', () => {
  let p: Pipeline;
  beforeAll(async () => {
    p = await startPipeline({
      tracerProvider: provider,
      // Its first status check answers pending: settlement takes two checks, two settle job spans.
      sandbox: { faults: { aurpay: fixedFault('pending_then_success') } },
      env: { WEBHOOK_ALLOW_PRIVATE: 'true' },
    });
  });
  afterAll(async () => p.close());

  it('is one trace: HTTP request > enqueue > submit job > provider submit > settle job > provider lookup, nothing secret in any span', async () => {
    // A webhook endpoint with a secret and a token in its query: its request is traced too.
    const hook = await p.call('POST', '/v1/webhooks', { url: `http://127.0.0.1:9/hook?token=${WEBHOOK_QUERY_TOKEN}`, secret: WEBHOOK_SECRET });
    expect(hook.status).toBe(201);
    // Aurpay is always confirmed by a lookup.
    const { body } = withdrawalBody('aurpay', 25_000_000n, { description: 'weekly payout', metadata: { userId: METADATA_VALUE } });
    // The producer's own trace context: the payout's trace joins it; its baggage goes nowhere.
    const callerTraceId = randomBytes(16).toString('hex');
    const callerSpanId = randomBytes(8).toString('hex');
    const created = await p.call('POST', '/v1/withdrawals', body, { traceparent: `00-${callerTraceId}-${callerSpanId}-01`, baggage: `note=${METADATA_VALUE}` });
    expect(created.status).toBe(202);
    const id = body.id;
    await eventually(async () => ((await p.call('GET', `/v1/withdrawals/${id}`)).body.status === 'succeeded' ? true : undefined), 20_000, `${id} succeeded`);

    const of = (name: string, where: (s: ReadableSpan) => boolean = () => true) => exporter.getFinishedSpans().filter((s) => s.name === name && where(s));
    const forThis = (s: ReadableSpan) => s.attributes['withdrawal.id'] === id;
    // The settle job's span ends after its processor returns: wait for the one that found the payment.
    const found = await eventually(
      async () => of('process settle', forThis).find((s) => of('provider lookup', (l) => parentId(l) === spanId(s) && l.attributes['provider.status'] === 'succeeded').length > 0),
      10_000,
      'the settle span of the lookup that found the payment',
    );

    const [server] = of('POST /v1/withdrawals');
    expect(server).toBeDefined();
    if (!server) return;
    const tid = traceId(server);
    expect(tid).toBe(callerTraceId);
    expect(parentId(server)).toBe(callerSpanId);
    expect(server.kind).toBe(SpanKind.SERVER);
    expect(server.attributes['http.route']).toBe('/v1/withdrawals');
    expect(server.attributes['http.response.status_code']).toBe(202);

    const [enqueue, ...moreEnqueues] = of('withdrawal enqueue', forThis);
    expect(moreEnqueues).toEqual([]);
    expect(parentId(enqueue!)).toBe(spanId(server));
    expect(enqueue!.attributes).toMatchObject({ 'withdrawal.provider': 'aurpay', 'withdrawal.status': 'queued' });

    const submitJobs = of('process submit-aurpay', (s) => s.attributes['bullmq.job.id'] === submitJobId(id, 0));
    expect(submitJobs).toHaveLength(1);
    const submitJob = submitJobs[0]!;
    expect(submitJob.kind).toBe(SpanKind.CONSUMER);
    expect(parentId(submitJob)).toBe(spanId(enqueue!));
    expect(submitJob.attributes).toMatchObject({ 'withdrawal.id': id, 'withdrawal.provider': 'aurpay', 'bullmq.job.name': 'submit' });

    const [submitCall, ...moreSubmits] = of('provider submit', forThis);
    expect(moreSubmits).toEqual([]);
    expect(parentId(submitCall!)).toBe(spanId(submitJob));
    expect(submitCall!.attributes).toMatchObject({ 'withdrawal.provider': 'aurpay', 'provider.operation': 'submit', 'provider.outcome': 'accepted' });
    const [post] = of('POST', (s) => parentId(s) === spanId(submitCall!));
    expect(post?.kind).toBe(SpanKind.CLIENT);
    expect(post?.attributes).toMatchObject({ 'http.request.method': 'POST', 'url.path': '/api/bln/withdraw', 'http.response.status_code': 200 });

    // Every settlement check continues the trace under the submit job that scheduled it.
    const settleJobs = of('process settle', forThis);
    expect(settleJobs.length).toBeGreaterThanOrEqual(2);
    for (const s of settleJobs) expect(parentId(s)).toBe(spanId(submitJob));
    const pending = of('provider lookup', (l) => forThis(l) && l.attributes['provider.status'] === 'pending');
    expect(pending.length).toBeGreaterThanOrEqual(1);
    for (const l of pending) expect(settleJobs.map(spanId)).toContain(parentId(l));
    const [lookup] = of('provider lookup', (l) => parentId(l) === spanId(found));
    expect(lookup!.attributes).toMatchObject({ 'withdrawal.id': id, 'provider.operation': 'lookup', 'provider.outcome': 'found', 'provider.status': 'succeeded' });
    const [get] = of('GET', (s) => parentId(s) === spanId(lookup!));
    expect(get?.attributes).toMatchObject({ 'url.path': '/api/v2/tx', 'http.response.status_code': 200 });

    if (process.env.TRACE_TREE) {
      const inTrace = exporter.getFinishedSpans().filter((s) => traceId(s) === tid);
      const print = (s: ReadableSpan, depth: number): void => {
        console.log(`${'  '.repeat(depth)}${s.name} ${JSON.stringify(s.attributes)}`);
        for (const c of inTrace.filter((x) => parentId(x) === spanId(s))) print(c, depth + 1);
      };
      print(server, 0);
    }
    // The submit job carries the enqueue's context in its options, and nothing more.
    const job = await p.runtime.queues.submitQueue('aurpay').getJob(submitJobId(id, 0));
    const carried = JSON.parse(job?.opts.telemetry?.metadata ?? '{}') as Record<string, string>;
    expect(Object.keys(carried)).toEqual(['traceparent']);
    expect(carried.traceparent).toBe(`00-${tid}-${spanId(enqueue!)}-01`);

    for (const s of [enqueue!, submitJob, submitCall!, post!, ...settleJobs, lookup!, get!]) expect(traceId(s)).toBe(tid);

    const forbidden: Record<string, string> = {
      invoice: body.invoice,
      'producer token': TEST_TOKEN,
      'operator token': OPERATOR_TOKEN,
      'Aurpay API key': AURPAY_KEY,
      'TurinPay API key': TURINPAY_KEY,
      'webhook secret': WEBHOOK_SECRET,
      "webhook URL's query": WEBHOOK_QUERY_TOKEN,
      metadata: METADATA_VALUE,
    };
    const all = exporter.getFinishedSpans();
    expect(all.some((s) => s.name === 'POST /v1/webhooks')).toBe(true);
    const leaks = all.flatMap((s) =>
      Object.entries(forbidden)
        .filter(([, secret]) => spanTexts(s).some((t) => t.includes(secret)))
        .map(([what]) => `${what} in span ${s.name}`),
    );
    expect(leaks).toEqual([]);

    // Log lines written inside the payout's spans carry its trace and the span they were written in.
    const logged = p.logLines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.withdrawalId === id && l.msg === 'submit finished');
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ trace_id: tid, span_id: expect.stringMatching(/^[0-9a-f]{16}$/) });
    expect(all.filter((s) => traceId(s) === tid).map(spanId)).toContain(logged[0]?.span_id);

    // BullMQ's housekeeping (stalled checks, the sweep's jobs) makes no span unless asked for.
    const bullmq = all.filter((s) => s.attributes['bullmq.queue.operation'] !== undefined);
    expect(bullmq.map((s) => s.name)).toContain('process submit-aurpay');
    expect(bullmq.filter((s) => s.kind === SpanKind.INTERNAL || s.attributes['bullmq.queue.name'] === 'maintenance').map((s) => s.name)).toEqual([]);
  });
});

describe('traces on, with TRACE_BULLMQ_HOUSEKEEPING=true', () => {
  it("records BullMQ's housekeeping spans too", async () => {
    exporter.reset();
    const p = await startPipeline({ tracerProvider: provider, env: { TRACE_BULLMQ_HOUSEKEEPING: 'true' } });
    try {
      const { body } = withdrawalBody('turinpay');
      expect((await p.call('POST', '/v1/withdrawals', body)).status).toBe(202);
      await eventually(async () => (exporter.getFinishedSpans().some((s) => s.attributes['bullmq.queue.operation'] === 'moveStalledJobsToWait') ? true : undefined), 20_000, 'a stalled-jobs check span');
      await eventually(async () => (exporter.getFinishedSpans().some((s) => s.name === 'process maintenance') ? true : undefined), 20_000, 'a sweep job span');
    } finally {
      await p.close();
    }
  });
});

describe('traces off', () => {
  const logger = createLogger('silent');

  it('never imports the SDK module when no OTEL variable turns traces on, and does when one does', async () => {
    const load = vi.fn(async () => ({ startSdk: () => ({ tracerProvider: provider, shutdown: async () => undefined }) }));
    expect(await startTracing(tracingSettings(loadConfig({})), logger, load)).toBeNull();
    expect(await startTracing(tracingSettings(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_SDK_DISABLED: 'true' })), logger, load)).toBeNull();
    expect(await startTracing(tracingSettings(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_TRACES_EXPORTER: 'none' })), logger, load)).toBeNull();
    expect(load).not.toHaveBeenCalled();

    const settings = tracingSettings(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' }));
    expect(settings).toMatchObject({ exporter: 'otlp', url: 'http://collector:4318/v1/traces', serviceName: 'withdrawals' });
    const started = await startTracing(settings, logger, load);
    expect(load).toHaveBeenCalledTimes(1);
    expect(started?.tracerProvider).toBe(provider);
  });

  it('a plain Node process loads no SDK package: the library, the service entry point and startTracing, with traces off', () => {
    const root = fileURLToPath(new URL('../../', import.meta.url));
    // A resolve hook reports every @opentelemetry package a process loads (the SDK ones would be sdk-*, exporter-*, resources).
    const script = `
      import { register } from 'node:module';
      import { MessageChannel } from 'node:worker_threads';
      const { port1, port2 } = new MessageChannel();
      const loaded = new Set();
      port1.on('message', (url) => loaded.add(url.replace(/^.*node_modules\\/@opentelemetry\\/([^/]+)\\/.*$/, '$1')));
      port1.unref();
      const hook = 'export let port; export function initialize(d) { port = d.port; } ' +
        'export async function resolve(s, c, next) { const r = await next(s, c); if (r.url.includes("/node_modules/@opentelemetry/")) port.postMessage(r.url); return r; }';
      register('data:text/javascript,' + encodeURIComponent(hook), { data: { port: port2 }, transferList: [port2] });
      await import('./dist/src/index.js');
      await import('./dist/workers/service.js');
      const { loadSettings } = await import('./dist/src/settings/index.js');
      const { builtinProviders } = await import('./dist/src/providers/index.js');
      const { startTracing } = await import('./dist/src/telemetry/start.js');
      const { createLogger } = await import('./dist/src/logger.js');
      const started = await startTracing(loadSettings(process.env, builtinProviders).tracing, createLogger('silent'));
      await started?.shutdown();
      await new Promise((r) => setTimeout(r, 100));
      console.log(JSON.stringify({ on: started !== null, loaded: [...loaded].sort() }));
    `;
    const run = (env: Record<string, string>) => {
      const res = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: root, encoding: 'utf8', env: { PATH: process.env.PATH ?? '', ...env } });
      expect(res.stderr).toBe('');
      return JSON.parse(res.stdout.trim().split('\n').pop() ?? '{}') as { on: boolean; loaded: string[] };
    };
    const off = run({});
    expect(off).toEqual({ on: false, loaded: ['api'] });
    // The same process with traces on does load the SDK: the hook sees it.
    const on = run({ OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9' });
    expect(on.on).toBe(true);
    expect(on.loaded).toEqual(expect.arrayContaining(['api', 'sdk-trace-node', 'exporter-trace-otlp-http', 'resources']));
  });

  it('a runtime without a tracer provider makes no span and adds no trace context to jobs, even under a registered SDK', async () => {
    const p = await startPipeline({ workers: false });
    exporter.reset();
    try {
      expect(p.runtime.queues.submitQueue('turinpay').opts.telemetry).toBeUndefined();
      const { body } = withdrawalBody('turinpay');
      expect((await p.call('POST', '/v1/withdrawals', body)).status).toBe(202);
      const job = await p.runtime.queues.submitQueue('turinpay').getJob(submitJobId(body.id, 0));
      expect(job?.data).toEqual({ id: body.id });
      expect(job?.opts.telemetry).toBeUndefined();
      await eventually(async () => ((await p.call('GET', `/v1/withdrawals/${body.id}`)).body.status === 'queued' ? true : undefined), 5000, 'stored');
      expect(exporter.getFinishedSpans().map((s) => s.name)).toEqual([]);
    } finally {
      await p.close();
    }
  });
});
