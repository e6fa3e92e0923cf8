import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../src/config.ts';
import { tracingSettings } from '../../../src/settings/tracing.ts';

const settings = (env: Record<string, string>) => tracingSettings(loadConfig(env));

describe('tracingSettings (the OTEL_* variables)', () => {
  it('is off with no OTEL variable, and with only a service name or a sampler', () => {
    expect(settings({})).toBeNull();
    expect(settings({ OTEL_SERVICE_NAME: 'payouts', OTEL_TRACES_SAMPLER: 'always_on' })).toBeNull();
  });

  it('is on with an endpoint: OTLP to <endpoint>/v1/traces, service withdrawals, parent-based sampling of everything', () => {
    expect(settings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'https://otel.example.com:4318/' })).toEqual({
      serviceName: 'withdrawals',
      exporter: 'otlp',
      url: 'https://otel.example.com:4318/v1/traces',
      headers: {},
      sampler: 'parentbased_always_on',
      samplerRatio: 1,
    });
  });

  it('takes the traces endpoint as it is, over the base endpoint', () => {
    const s = settings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a:4318', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://b:4318/custom/traces' });
    expect(s?.url).toBe('http://b:4318/custom/traces');
  });

  it('is on with OTEL_TRACES_EXPORTER alone: otlp to the default local collector, or console', () => {
    expect(settings({ OTEL_TRACES_EXPORTER: 'otlp' })).toMatchObject({ exporter: 'otlp', url: 'http://localhost:4318/v1/traces' });
    expect(settings({ OTEL_TRACES_EXPORTER: 'console' })).toMatchObject({ exporter: 'console' });
  });

  it('is off with OTEL_TRACES_EXPORTER=none or OTEL_SDK_DISABLED=true, whatever the endpoint', () => {
    expect(settings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a:4318', OTEL_TRACES_EXPORTER: 'none' })).toBeNull();
    expect(settings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a:4318', OTEL_SDK_DISABLED: 'true' })).toBeNull();
  });

  it('reads headers as key=value pairs with URL-encoded values, and the sampler with its ratio', () => {
    const s = settings({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a:4318',
      OTEL_EXPORTER_OTLP_HEADERS: 'x-honeycomb-team=abc%3D123, authorization=Basic%20Zm9v',
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '0.25',
    });
    expect(s).toMatchObject({ headers: { 'x-honeycomb-team': 'abc=123', authorization: 'Basic Zm9v' }, sampler: 'parentbased_traceidratio', samplerRatio: 0.25 });
  });

  it.each([
    ['OTEL_EXPORTER_OTLP_ENDPOINT', 'collector:4318'],
    ['OTEL_TRACES_EXPORTER', 'jaeger'],
    ['OTEL_EXPORTER_OTLP_HEADERS', 'no-equals-sign'],
    ['OTEL_TRACES_SAMPLER', 'sometimes'],
    ['OTEL_TRACES_SAMPLER_ARG', '2'],
    ['OTEL_SDK_DISABLED', 'yes'],
  ])('refuses %s=%s, naming the variable', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(name);
  });

  it('never puts a header value into the configuration error', () => {
    const secret = 'vendor-key-%ZZ-SECRET';
    let message = '';
    try {
      loadConfig({ OTEL_EXPORTER_OTLP_HEADERS: `x-key=${secret}` });
    } catch (err) {
      message = err instanceof Error ? err.message : '';
    }
    expect(message).toContain('OTEL_EXPORTER_OTLP_HEADERS');
    expect(message).not.toContain('SECRET');
  });
});
