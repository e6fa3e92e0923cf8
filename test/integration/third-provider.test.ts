/**
 * A third provider added as a definition alone: everything it needs is in this file (a made-up
 * payout API on loopback, its client and its ProviderDefinition), and the runtime takes it beside
 * the built-in ones. Its withdrawals go queued -> submitting -> submitted -> succeeded through the
 * same workers, and the metrics, the request schema and the OpenAPI document know its name.
 */
import { randomUUID } from 'node:crypto';
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { payeeInvoice } from '../../src/demo/payee.ts';
import { builtinProviders, defineProvider } from '../../src/providers/index.ts';
import type { LookupOutcome, ProviderClient, SubmitOutcome } from '../../src/providers/types.ts';
import { eventually, startPipeline, type Pipeline } from '../support/pipeline.ts';

const NAME = 'lumen';
const TOKEN = 'lumen-token-1';

/** Lumen's API: POST /pay {invoice, reference} -> {ref, state: 'pending'}; GET /pay/:ref -> {state: 'paid'}. */
interface LumenApi {
  url: string;
  paid: Map<string, { invoice: string; reference: string }>;
  requests: string[];
  close(): Promise<void>;
}

async function startLumenApi(): Promise<LumenApi> {
  const paid = new Map<string, { invoice: string; reference: string }>();
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    const answer = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    requests.push(`${req.method} ${req.url}`);
    if (req.headers.authorization !== `Bearer ${TOKEN}`) return answer(401, { error: 'unauthorized' });
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method === 'POST' && req.url === '/pay') {
        const body = z.object({ invoice: z.string(), reference: z.string() }).parse(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        const ref = `lm-${randomUUID()}`;
        paid.set(ref, body);
        return answer(200, { ref, state: 'pending' });
      }
      const ref = /^\/pay\/([^/]+)$/.exec(req.url ?? '')?.[1];
      if (req.method === 'GET' && ref !== undefined) return paid.has(ref) ? answer(200, { state: 'paid' }) : answer(404, { error: 'no such payment' });
      return answer(404, { error: 'no such route' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    paid,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

/** One HTTP exchange on a connection of its own (nothing kept alive past the test). */
function exchange(url: string, method: string, token: string, body?: unknown): Promise<{ status: number; json: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, agent: false, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } }, (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(Buffer.concat(chunks).toString('utf8')) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

const STATES = { pending: 'pending', paid: 'succeeded', failed: 'failed' } as const;
const stateSchema = z.enum(['pending', 'paid', 'failed']);

/** Lumen's client: an answer with a state is explicit; anything else after the request left is unknown. */
function createLumenClient(settings: { url: string; token: string }): ProviderClient {
  return {
    name: NAME,
    async submit(req): Promise<SubmitOutcome> {
      let answer: { status: number; json: unknown };
      try {
        answer = await exchange(`${settings.url}/pay`, 'POST', settings.token, { invoice: req.invoice, reference: req.withdrawalId });
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        return code === 'ECONNREFUSED' ? { kind: 'not_sent', reason: code } : { kind: 'unknown', reason: String(err) };
      }
      const ok = z.object({ ref: z.string(), state: stateSchema }).safeParse(answer.json);
      if (answer.status !== 200 || !ok.success) return { kind: 'unknown', reason: `HTTP ${answer.status}`, raw: answer.json };
      return { kind: 'accepted', status: STATES[ok.data.state], providerRef: ok.data.ref, feeMsat: 0n, raw: answer.json };
    },
    async lookup(req): Promise<LookupOutcome> {
      if (req.providerRef === null) return { kind: 'not_found', reason: 'no reference' };
      const answer = await exchange(`${settings.url}/pay/${req.providerRef}`, 'GET', settings.token).catch((err: unknown) => ({ status: 0, json: String(err) }));
      if (answer.status === 404) return { kind: 'not_found', reason: 'HTTP 404', raw: answer.json };
      const ok = z.object({ state: stateSchema }).safeParse(answer.json);
      if (answer.status !== 200 || !ok.success) return { kind: 'error', reason: `HTTP ${answer.status}`, raw: answer.json };
      return { kind: 'found', status: STATES[ok.data.state], providerRef: req.providerRef, feeMsat: 0n, raw: answer.json };
    },
  };
}

const lumen = defineProvider({
  name: NAME,
  label: 'Lumen',
  capabilities: { amountlessInvoices: false, onchain: false, settlesOnSubmit: false },
  keyVariable: 'LUMEN_TOKEN',
  configSchema: z.object({ LUMEN_URL: z.string().optional(), LUMEN_TOKEN: z.string().optional() }),
  settings: (v) => (v.LUMEN_TOKEN && v.LUMEN_URL ? { url: v.LUMEN_URL, token: v.LUMEN_TOKEN } : null),
  create: (settings) => createLumenClient(settings),
});

let api: LumenApi;
let p: Pipeline;
beforeAll(async () => {
  api = await startLumenApi();
  p = await startPipeline({ providers: [...builtinProviders, lumen], env: { LUMEN_URL: api.url, LUMEN_TOKEN: TOKEN } });
});
afterAll(async () => {
  await p?.close();
  await api?.close();
});

/** The value of one sample of the exposition, by metric name and labels (any label order). */
function sample(text: string, metric: string, labels: Record<string, string>): number | undefined {
  const line = text
    .split('\n')
    .find((l) => l.startsWith(`${metric}{`) && Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`)));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('a third provider, added as a definition', () => {
  it('pays its withdrawals: submit, submitted, a settle lookup, succeeded', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const { invoice } = payeeInvoice({ network: 'regtest', amountMsat: 21_000_000n });
      const id = `lumen-${randomUUID()}`;
      const res = await p.call('POST', '/v1/withdrawals', { id, provider: NAME, invoice });
      expect(res.status, JSON.stringify(res.body)).toBe(202);
      expect(res.body).toMatchObject({ provider: NAME, status: 'queued' });
      ids.push(id);
    }
    for (const id of ids) {
      const rec = await eventually(async () => {
        const r = await p.call('GET', `/v1/withdrawals/${id}`);
        return r.body.status === 'succeeded' ? r.body : undefined;
      }, 15_000, `${id} to succeed`);
      expect(rec.history.map((h: { status: string }) => h.status)).toEqual(['queued', 'submitting', 'submitted', 'succeeded']);
      expect(rec.providerRef).toMatch(/^lm-/);
      expect(api.paid.get(rec.providerRef)?.reference).toBe(id);
      expect(api.requests).toContain(`GET /pay/${rec.providerRef}`);
    }
  });

  it("shows it in the metrics: withdrawals_in_status and provider_requests_total under the provider's name", async () => {
    const text = await (await fetch(`${p.baseUrl}/metrics`)).text();
    expect(sample(text, 'withdrawals_in_status', { provider: NAME, status: 'succeeded' })).toBe(3);
    expect(sample(text, 'withdrawals_in_status', { provider: NAME, status: 'queued' })).toBe(0);
    expect(sample(text, 'withdrawals_provider_requests_total', { provider: NAME, operation: 'submit', outcome: 'accepted' })).toBe(3);
    expect(sample(text, 'withdrawals_provider_requests_total', { provider: NAME, operation: 'lookup', outcome: 'found' })).toBeGreaterThanOrEqual(3);
    expect(sample(text, 'withdrawals_breaker_open', { provider: NAME })).toBe(0);
  });

  it('refuses what its capabilities exclude, naming it, and a provider the runtime does not know', async () => {
    const amountless = payeeInvoice({ network: 'regtest', amountMsat: null });
    const refused = await p.call('POST', '/v1/withdrawals', { id: `lumen-${randomUUID()}`, provider: NAME, invoice: amountless.invoice, amountMsat: '5000' });
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatchObject({ code: 'amount_required', message: expect.stringContaining("Lumen's API takes no amount") });
    const unknown = await p.call('POST', '/v1/withdrawals', { id: `x-${randomUUID()}`, provider: 'nowhere', invoice: amountless.invoice });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error).toMatchObject({ code: 'invalid_request', message: expect.stringContaining('"lumen"') });
  });

  it("lists it in the OpenAPI document beside the built-in providers", async () => {
    const doc = (await (await fetch(`${p.baseUrl}/openapi.json`)).json()) as { components: { schemas: Record<string, { enum?: string[]; properties?: Record<string, { enum?: string[] }> }> } };
    expect(doc.components.schemas.Provider?.enum).toEqual(['aurpay', 'turinpay', NAME]);
    expect(doc.components.schemas.WithdrawalRequest?.properties?.provider?.enum).toEqual(['aurpay', 'turinpay', NAME, 'auto']);
  });
});
