import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.ts';

describe('METRICS_PORT', () => {
  it('is null when unset or empty: no metrics server', () => {
    expect(loadConfig({}).METRICS_PORT).toBeNull();
    expect(loadConfig({ METRICS_PORT: '' }).METRICS_PORT).toBeNull();
  });

  it('reads a port from 0 to 65535', () => {
    expect(loadConfig({ METRICS_PORT: '9464' }).METRICS_PORT).toBe(9464);
    expect(loadConfig({ METRICS_PORT: '0' }).METRICS_PORT).toBe(0);
    expect(loadConfig({ METRICS_PORT: '65535' }).METRICS_PORT).toBe(65535);
  });

  it.each(['65536', '-1', '94.64', 'metrics'])('refuses %s with a message naming the variable', (value) => {
    expect(() => loadConfig({ METRICS_PORT: value })).toThrow(ConfigError);
    expect(() => loadConfig({ METRICS_PORT: value })).toThrow(/METRICS_PORT: must be/);
  });
});
