import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import openapiTS, { astToString } from 'openapi-typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withdrawalBody } from '../support/invoices.ts';
import { OPERATOR_TOKEN, startPipeline, TEST_TOKEN, type Pipeline } from '../support/pipeline.ts';

/**
 * A producer's view: generate TypeScript types from GET /openapi.json with openapi-typescript,
 * type-check a client written against them with tsc, then run that very client (openapi-fetch)
 * against the sandbox pipeline.
 */

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');

/**
 * What a producer would write. Any type error fails the test, and so does a `@ts-expect-error` line that
 * is not an error: were the generated types loose (`any`, `unknown`), those mistakes would compile.
 */
const CLIENT = `import createClient from 'openapi-fetch';
import type { components, paths } from './api.js';

type WithdrawalRecord = components['schemas']['WithdrawalRecord'];
type WithdrawalRequest = components['schemas']['WithdrawalRequest'];
export type Client = ReturnType<typeof connect>;

export function connect(baseUrl: string, token: string) {
  return createClient<paths>({ baseUrl, headers: { authorization: \`Bearer \${token}\` } });
}

function fail(status: number, error: components['schemas']['ErrorBody']): never {
  throw new Error(\`\${status} \${error.error.code}: \${error.error.message}\`);
}

export async function enqueue(client: Client, body: WithdrawalRequest): Promise<{ status: number; record: WithdrawalRecord }> {
  const { data, error, response } = await client.POST('/v1/withdrawals', { body });
  if (error) fail(response.status, error);
  return { status: response.status, record: data };
}

export async function read(client: Client, id: string): Promise<WithdrawalRecord> {
  const { data, error, response } = await client.GET('/v1/withdrawals/{id}', { params: { path: { id } } });
  if (error) fail(response.status, error);
  return data;
}

/** The error code of reading a withdrawal that does not exist. */
export async function missingCode(client: Client): Promise<components['schemas']['ErrorCode'] | null> {
  const { error } = await client.GET('/v1/withdrawals/{id}', { params: { path: { id: 'no-such-withdrawal' } } });
  return error ? error.error.code : null;
}

export async function settle(client: Client, id: string, timeoutMs = 20_000): Promise<WithdrawalRecord> {
  const terminal: WithdrawalRecord['status'][] = ['succeeded', 'failed', 'needs_review', 'cancelled'];
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const record = await read(client, id);
    if (terminal.includes(record.status)) return record;
    if (Date.now() > deadline) throw new Error(\`\${id} is still \${record.status}\`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function cancel(client: Client, id: string, note: string): Promise<WithdrawalRecord> {
  const { data, error, response } = await client.POST('/v1/withdrawals/{id}/cancel', { params: { path: { id } }, body: { note } });
  if (error) fail(response.status, error);
  return data;
}

export async function resolve(client: Client, id: string, outcome: 'succeeded' | 'failed' | 'resubmit', note: string): Promise<WithdrawalRecord> {
  const { data, error, response } = await client.POST('/v1/withdrawals/{id}/resolve', { params: { path: { id } }, body: { outcome, note } });
  if (error) fail(response.status, error);
  return data;
}

export async function batch(client: Client, id: string, items: WithdrawalRequest[]) {
  const sent = await client.POST('/v1/batches', { body: { id, items } });
  if (sent.error) fail(sent.response.status, sent.error);
  const summary = await client.GET('/v1/batches/{id}', { params: { path: { id: sent.data.batchId } } });
  if (summary.error) fail(summary.response.status, summary.error);
  return { answer: sent.data, summary: summary.data };
}

export async function mistakes(client: Client): Promise<void> {
  // @ts-expect-error provider is aurpay or turinpay
  await client.POST('/v1/withdrawals', { body: { id: 'x', provider: 'paypal', invoice: 'lnbcrt1' } });
  // @ts-expect-error the id is required
  await client.POST('/v1/withdrawals', { body: { provider: 'aurpay', invoice: 'lnbcrt1' } });
  // @ts-expect-error no such route
  await client.GET('/v1/withdrawal/{id}', { params: { path: { id: 'x' } } });
  // @ts-expect-error outcome is succeeded, failed or resubmit
  await resolve(client, 'x', 'lost', 'note');
  const record = await read(client, 'x');
  // @ts-expect-error amounts are strings of millisatoshi
  const sats: number = record.amountMsat;
  void sats;
}
`;

const TSCONFIG = {
  compilerOptions: {
    target: 'ES2022',
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    lib: ['ES2022', 'DOM'],
    types: [],
    strict: true,
    noUncheckedIndexedAccess: true,
    noEmit: true,
    // The generated api.d.ts is checked too; the standard library's own files are not (slow, and not ours).
    skipLibCheck: false,
    skipDefaultLibCheck: true,
  },
  files: ['client.ts'],
};

interface GeneratedClient {
  connect(baseUrl: string, token: string): unknown;
  enqueue(client: unknown, body: unknown): Promise<{ status: number; record: { id: string; status: string; history: unknown[] } }>;
  settle(client: unknown, id: string): Promise<{ status: string; feeMsat: string | null }>;
  cancel(client: unknown, id: string, note: string): Promise<{ status: string; history: { actor?: string; note?: string }[] }>;
  resolve(client: unknown, id: string, outcome: string, note: string): Promise<{ status: string }>;
  missingCode(client: unknown): Promise<string | null>;
  batch(client: unknown, id: string, items: unknown[]): Promise<{ answer: { accepted: number }; summary: { total: number } }>;
}

let p: Pipeline;
let dir: string;

beforeAll(async () => {
  p = await startPipeline({ env: { RECONCILE_GRACE_MS: '0' } });
  dir = join(ROOT, 'test-artifacts', `openapi-client-${randomUUID().slice(0, 8)}`);
  mkdirSync(dir, { recursive: true });
  const doc: unknown = await (await fetch(`${p.baseUrl}/openapi.json`)).json();
  writeFileSync(join(dir, 'api.d.ts'), astToString(await openapiTS(JSON.stringify(doc))));
  writeFileSync(join(dir, 'client.ts'), CLIENT);
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify(TSCONFIG));
});
afterAll(async () => {
  await p.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('a typed client generated from /openapi.json', () => {
  it('type-checks against the generated types; misuse is a type error (the @ts-expect-error lines)', async () => {
    expect(readFileSync(join(dir, 'api.d.ts'), 'utf8')).toContain('"/v1/withdrawals/{id}/resolve"');
    await run(process.execPath, [TSC, '-p', dir], { cwd: dir }).catch((err: { stdout?: string }) => {
      throw new Error(`tsc found errors in the generated client:\n${err.stdout ?? String(err)}`);
    });

  });

  it('enqueues, reads, settles, cancels and resolves withdrawals through it', async () => {
    const mod = (await import(pathToFileURL(join(dir, 'client.ts')).href)) as GeneratedClient;
    const client = mod.connect(p.baseUrl, TEST_TOKEN);

    const { body } = withdrawalBody('turinpay', 36_000n, { description: 'weekly payout', metadata: { userId: 'u-42' } });
    const first = await mod.enqueue(client, body);
    expect(first.status).toBe(202);
    expect(first.record).toMatchObject({ id: body.id, status: 'queued' });
    expect((await mod.enqueue(client, body)).status).toBe(200);
    expect(await mod.settle(client, body.id)).toMatchObject({ status: 'succeeded', feeMsat: expect.any(String) });
    expect(await mod.missingCode(client)).toBe('not_found');

    await p.runtime.queues.submitQueue('aurpay').pause();
    const held = withdrawalBody('aurpay').body;
    const review = withdrawalBody('aurpay').body;
    await mod.enqueue(client, held);
    await mod.enqueue(client, review);
    const cancelled = await mod.cancel(client, held.id, 'payee asked to stop');
    expect(cancelled.status).toBe('cancelled');
    expect(cancelled.history.at(-1)).toMatchObject({ actor: 'tester', note: 'payee asked to stop' });

    // needs_review whose payment provably never left, set through the store (as test/integration/operator.test.ts).
    const store = p.runtime.store;
    await store.transition(review.id, { from: 'queued', to: 'submitting', newFence: 'client-fence', cause: 'test' });
    await store.transition(review.id, { from: 'submitting', to: 'unknown', fence: 'client-fence', cause: 'test: lost' });
    await store.transition(review.id, { from: 'unknown', to: 'needs_review', cause: 'test: budget spent' });
    await p.runtime.queues.submitQueue('aurpay').resume();
    // Resolving is an operator's decision: the producer's client is refused, the operator's decides.
    await expect(mod.resolve(client, review.id, 'failed', 'mine to decide?')).rejects.toThrow(/^403 forbidden/);
    const operator = mod.connect(p.baseUrl, OPERATOR_TOKEN);
    expect((await mod.resolve(operator, review.id, 'failed', 'provider support: never sent')).status).toBe('failed');
    await expect(mod.resolve(operator, review.id, 'failed', 'again')).rejects.toThrow(/^409 invalid_state/);

    const items = [withdrawalBody('turinpay').body, withdrawalBody('aurpay').body];
    const sent = await mod.batch(client, `client-batch-${Date.now()}`, items);
    expect(sent.answer.accepted).toBe(2);
    expect(sent.summary.total).toBe(2);
  });
});
