import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.ts';
import { loadSettings } from '../../src/settings/index.ts';

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
