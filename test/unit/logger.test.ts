import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { context, trace, TraceFlags } from '@opentelemetry/api';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { inRequestContext } from '../../src/log-context.ts';
import { createLogger } from '../../src/logger.ts';
import { loadSettings } from '../support/builtin-settings.ts';

describe('createLogger', () => {
  it('never writes a value of a logged configuration, nor a secret under the usual names', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, cb) {
        lines.push(String(chunk));
        cb();
      },
    });
    const secrets = ['aurpay-key-0001', 'aurpay-secret-0001', 'turinpay-key-0001', 'producer-token-0001', 'operator-token-0001', 'dashboard-pass-0001'];
    const { config } = loadSettings({
      AURPAY_API_KEY: secrets[0],
      AURPAY_API_SECRET: secrets[1],
      TURINPAY_API_KEY: secrets[2],
      API_TOKENS: `shop=${secrets[3]}`,
      OPERATOR_TOKENS: `ops=${secrets[4]}`,
      DASHBOARD_USER: 'ops',
      DASHBOARD_PASSWORD: secrets[5],
    });
    const logger = createLogger('trace', sink);
    logger.info({ config }, 'configuration');
    logger.info({ client: { apiKey: secrets[0], apiSecret: secrets[1] }, headers: { authorization: `Bearer ${secrets[3]}` } }, 'request');
    const text = lines.join('');
    expect(lines).toHaveLength(2);
    for (const secret of secrets) expect(text).not.toContain(secret);
    expect(text).toContain('[Redacted]');
  });
});

describe('log lines and their context', () => {
  function sinkLogger() {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, cb) {
        lines.push(String(chunk));
        cb();
      },
    });
    return { lines, logger: createLogger('info', sink) };
  }

  it('carry the request id of the request they are written in, through any logger, once', async () => {
    const { lines, logger } = sinkLogger();
    await inRequestContext({ reqId: 'req-abc-123' }, async () => {
      logger.info('before an await');
      await new Promise((resolve) => setImmediate(resolve));
      logger.child({ component: 'store' }).info('after an await, in a child logger');
      logger.child({ reqId: 'req-abc-123' }).info('the request own logger');
    });
    logger.info('outside any request');
    expect(lines.map((l) => JSON.parse(l).reqId)).toEqual(['req-abc-123', 'req-abc-123', 'req-abc-123', undefined]);
    expect(lines[2]?.match(/"reqId"/g)).toHaveLength(1);
  });

  it('carry trace_id and span_id of the active span, and none without one', () => {
    const { lines, logger } = sinkLogger();
    const traceId = '0af7651916cd43dd8448eb211c80319c';
    const spanId = 'b7ad6b7169203331';
    const span = trace.wrapSpanContext({ traceId, spanId, traceFlags: TraceFlags.SAMPLED });
    // A registered provider brings the context manager that makes a span active.
    const provider = new NodeTracerProvider();
    provider.register();
    try {
      context.with(trace.setSpan(context.active(), span), () => logger.info('in a span'));
      logger.info('in no span');
    } finally {
      trace.disable();
      context.disable();
    }
    expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({ trace_id: traceId, span_id: spanId });
    expect(JSON.parse(lines[1] ?? '{}')).not.toHaveProperty('trace_id');
  });
});
