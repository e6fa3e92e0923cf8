import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { EVENT_TYPES } from '../../src/events/types.ts';
import { newSecret } from '../../src/webhooks/secret.ts';
import { webhookSettings } from '../../src/settings/index.ts';
import { loadSettings } from '../support/builtin-settings.ts';
import { startPipeline, type Pipeline } from '../support/pipeline.ts';

const CONFIG_SECRET = newSecret();
let p: Pipeline;
beforeAll(async () => {
  p = await startPipeline({ workers: false, env: { WEBHOOK_URL: 'https://hooks.example.com/from-env', WEBHOOK_SECRET: CONFIG_SECRET, WEBHOOK_EVENTS: 'withdrawal.succeeded, batch.done' } });
});
afterAll(async () => p.close());

describe('POST /v1/webhooks', () => {
  it('registers an endpoint for every event type and shows its whsec_ secret once', async () => {
    const res = await p.call('POST', '/v1/webhooks', { url: 'https://example.com/hooks?tenant=1' });
    expect(res.status).toBe(201);
    expect(res.body.id).toMatch(/^wh_[0-9a-f]{20}$/);
    expect(res.body.url).toBe('https://example.com/hooks?tenant=1');
    expect(res.body.events).toEqual([...EVENT_TYPES]);
    expect(res.body.secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    expect(Buffer.from(res.body.secret.slice(6), 'base64').length).toBeGreaterThanOrEqual(24);

    const list = await p.call('GET', '/v1/webhooks');
    expect(list.status).toBe(200);
    const mine = list.body.webhooks.find((w: { id: string }) => w.id === res.body.id);
    expect(mine).toMatchObject({ id: res.body.id, url: res.body.url, events: res.body.events, owner: 'tester', source: 'api' });
    expect(JSON.stringify(list.body)).not.toContain('whsec_');
    expect((await p.call('GET', `/v1/webhooks/${res.body.id}`)).body).not.toHaveProperty('secret');
    expect(p.logLines.join('')).not.toContain(res.body.secret);
  });

  it('uses a whsec_ secret given in the body and keeps the listed event types', async () => {
    const secret = newSecret();
    const res = await p.call('POST', '/v1/webhooks', { url: 'http://93.184.216.34:8080/h', events: ['withdrawal.failed', 'batch.done', 'withdrawal.failed'], secret });
    expect(res.status).toBe(201);
    expect(res.body.secret).toBe(secret);
    expect(res.body.events).toEqual(['withdrawal.failed', 'batch.done']);
  });

  it.each([
    [{ url: 'ftp://example.com/x' }, 'url'],
    [{ url: 'https://user:pass@example.com/x' }, 'url'],
    [{ url: 'https://token@example.com/x' }, 'url'],
    [{ url: 'https://example.com/x#frag' }, 'url'],
    [{ url: 'not a url' }, 'url'],
    [{ url: 'javascript:alert(1)' }, 'url'],
    [{}, 'url'],
    [{ url: 'https://example.com', events: ['withdrawal.paid'] }, 'events.0'],
    [{ url: 'https://example.com', events: [] }, 'events'],
    [{ url: 'https://example.com', secret: 'not-whsec' }, 'secret'],
    [{ url: 'https://example.com', secret: `whsec_${Buffer.alloc(8).toString('base64')}` }, 'secret'],
    [{ url: 'https://example.com', extra: true }, '(body)'],
  ])('refuses %j with 400 invalid_request naming %s', async (body, path) => {
    const res = await p.call('POST', '/v1/webhooks', body);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_request');
    expect(res.body.error.issues.map((i: { path: string }) => i.path)).toContain(path);
  });

  it.each([
    'http://127.0.0.1/',
    'http://10.0.0.1/',
    'http://172.16.0.1/',
    'http://192.168.1.1/',
    'http://169.254.169.254/latest/meta-data/',
    'http://[::1]/',
    'http://[::ffff:127.0.0.1]/',
    'http://[::ffff:10.0.0.1]/',
    'http://100.64.0.1/',
    'http://[fd00::1]/',
    'http://[fe80::1]/',
    'http://224.0.0.1/',
    'http://0.0.0.0/',
    'http://[::]/',
    'http://255.255.255.255/',
    'http://2130706433/',
    'http://0x7f000001/',
    'http://0177.0.0.1/',
    'http://127.1:8080/',
    'http://localhost/',
    'http://localhost.:3000/',
    'https://admin.localhost/',
  ])('refuses %s (a private network) with 400 invalid_request on url, and stores nothing', async (url) => {
    const before = (await p.call('GET', '/v1/webhooks')).body.webhooks.length;
    const res = await p.call('POST', '/v1/webhooks', { url });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_request');
    expect(res.body.error.issues).toEqual([{ path: 'url', message: expect.stringMatching(/^must not point at (localhost|a non-public address \(.+\))$/) }]);
    expect((await p.call('GET', '/v1/webhooks')).body.webhooks).toHaveLength(before);
  });

  it('accepts a public address literal', async () => {
    const res = await p.call('POST', '/v1/webhooks', { url: 'https://93.184.216.34/hook' });
    expect(res.status).toBe(201);
    expect(res.body.url).toBe('https://93.184.216.34/hook');
  });

  it('needs the bearer token', async () => {
    const res = await fetch(`${p.baseUrl}/v1/webhooks`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ url: 'https://example.com' }) });
    expect(res.status).toBe(401);
  });
});

describe('DELETE /v1/webhooks/:id', () => {
  it('removes an endpoint, then answers 404', async () => {
    const { body } = await p.call('POST', '/v1/webhooks', { url: 'https://example.com/gone' });
    expect((await p.call('DELETE', `/v1/webhooks/${body.id}`)).status).toBe(204);
    expect((await p.call('DELETE', `/v1/webhooks/${body.id}`)).status).toBe(404);
    const list = await p.call('GET', '/v1/webhooks');
    expect(list.body.webhooks.map((w: { id: string }) => w.id)).not.toContain(body.id);
  });

  it('shows operators the endpoint from WEBHOOK_URL and refuses to remove it', async () => {
    const list = await p.operator('GET', '/v1/webhooks');
    const fromEnv = list.body.webhooks.find((w: { source: string }) => w.source === 'config');
    expect(fromEnv).toMatchObject({ id: 'wh_config', url: 'https://hooks.example.com/from-env', events: ['withdrawal.succeeded', 'batch.done'], owner: null });
    expect(JSON.stringify(list.body)).not.toContain(CONFIG_SECRET);
    const res = await p.operator('DELETE', '/v1/webhooks/wh_config');
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('invalid_state');
  });

  it("hides the endpoint from WEBHOOK_URL (the operators') from producers, as if it did not exist", async () => {
    expect((await p.call('GET', '/v1/webhooks')).body.webhooks.map((w: { id: string }) => w.id)).not.toContain('wh_config');
    for (const [method, path, body] of [
      ['GET', '/v1/webhooks/wh_config', undefined],
      ['DELETE', '/v1/webhooks/wh_config', undefined],
      ['POST', '/v1/webhooks/wh_config/replay', { eventId: `evt_${'0'.repeat(26)}` }],
    ] as const) {
      const res = await p.call(method, path, body);
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(res.body.error).toEqual({ code: 'not_found', message: 'no webhook endpoint wh_config', issues: [] });
    }
  });
});

describe('POST /v1/webhooks/:id/replay', () => {
  it('answers 404 for an unknown endpoint or event and 400 for a bad body', async () => {
    const { body } = await p.call('POST', '/v1/webhooks', { url: 'https://example.com/replay' });
    expect((await p.call('POST', '/v1/webhooks/wh_nope/replay', { eventId: `evt_${'0'.repeat(26)}` })).status).toBe(404);
    const missing = await p.call('POST', `/v1/webhooks/${body.id}/replay`, { eventId: `evt_${'0'.repeat(25)}1` });
    expect(missing.status).toBe(404);
    for (const bad of [{}, { eventId: 'evt_x' }, { after: 'x' }, { eventId: `evt_${'0'.repeat(26)}`, after: `evt_${'0'.repeat(26)}` }]) {
      const res = await p.call('POST', `/v1/webhooks/${body.id}/replay`, bad);
      expect(res.status, JSON.stringify(bad)).toBe(400);
      expect(res.body.error.code).toBe('invalid_request');
    }
  });
});

describe('webhook configuration', () => {
  const base = { LN_NETWORK: 'regtest' };
  it('needs WEBHOOK_URL and WEBHOOK_SECRET together (loadConfig), a whsec_ secret and known event types (the settings)', () => {
    expect(() => loadConfig({ ...base, WEBHOOK_URL: 'https://example.com' })).toThrow(/WEBHOOK_URL, WEBHOOK_SECRET/);
    expect(() => loadSettings({ ...base, WEBHOOK_URL: 'https://example.com', WEBHOOK_SECRET: 'plain' })).toThrow(ConfigError);
    expect(() => loadSettings({ ...base, WEBHOOK_URL: 'https://example.com', WEBHOOK_SECRET: 'plain' })).toThrow(/WEBHOOK_SECRET: must be whsec_ followed by base64/);
    expect(() => loadSettings({ ...base, WEBHOOK_URL: 'ftp://example.com', WEBHOOK_SECRET: newSecret() })).toThrow(/WEBHOOK_URL: must be an http or https URL/);
    expect(() => loadSettings({ ...base, WEBHOOK_EVENTS: 'withdrawal.paid' })).toThrow(/WEBHOOK_EVENTS: must be one of /);
    expect(() => loadSettings({ ...base, WEBHOOK_EVENTS: ' , ' })).toThrow(/WEBHOOK_EVENTS: list at least one event type/);
    expect(() => loadConfig({ ...base, EVENTS_MAX_LEN: '-1' })).toThrow(/EVENTS_MAX_LEN/);
    const secret = newSecret();
    let message = '';
    try {
      loadSettings({ ...base, WEBHOOK_URL: 'https://a:b@example.com', WEBHOOK_SECRET: secret });
    } catch (err) {
      message = String(err);
    }
    expect(message).toContain('WEBHOOK_URL: must not carry credentials');
    expect(message).not.toContain(secret);
    const ok = loadConfig({ ...base });
    expect(ok).toMatchObject({ EVENTS_MAX_LEN: 1_000_000, WEBHOOK_ATTEMPTS: 10, WEBHOOK_EVENTS: null });
    expect(webhookSettings(loadConfig({ ...base, WEBHOOK_URL: 'https://example.com/h', WEBHOOK_SECRET: secret, WEBHOOK_EVENTS: 'batch.done, batch.done' })).configured).toEqual({
      url: 'https://example.com/h',
      secret,
      events: ['batch.done'],
    });
  });

  it('refuses a WEBHOOK_URL on a private network at start-up, unless WEBHOOK_ALLOW_PRIVATE=true', () => {
    const secret = newSecret();
    for (const url of ['http://127.0.0.1:9000/hooks', 'http://localhost/hooks', 'http://[::1]/h', 'http://10.1.2.3/h']) {
      expect(() => webhookSettings(loadConfig({ ...base, WEBHOOK_URL: url, WEBHOOK_SECRET: secret })), url).toThrow(ConfigError);
      expect(() => webhookSettings(loadConfig({ ...base, WEBHOOK_URL: url, WEBHOOK_SECRET: secret })), url).toThrow(/WEBHOOK_URL: must not point at/);
      const allowed = webhookSettings(loadConfig({ ...base, WEBHOOK_URL: url, WEBHOOK_SECRET: secret, WEBHOOK_ALLOW_PRIVATE: 'true' }));
      expect(allowed).toMatchObject({ configured: { url }, allowPrivate: true });
      // The policy is the delivering service's: a command that delivers nothing (status, batch) takes the URL.
      expect(loadSettings({ ...base, WEBHOOK_URL: url, WEBHOOK_SECRET: secret }).configuredWebhook).toMatchObject({ url });
    }
    const settings = webhookSettings(loadConfig({ ...base, WEBHOOK_URL: 'https://hooks.example.com/x', WEBHOOK_SECRET: secret, WEBHOOK_MAX_ENDPOINTS: '3' }));
    expect(settings).toMatchObject({ configured: { url: 'https://hooks.example.com/x' }, allowPrivate: false, maxEndpoints: 3 });
  });
});
