import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SwaggerParser from '@apidevtools/swagger-parser';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsPlugin from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OpenApiDocument } from '../../src/api/openapi/index.ts';
import { EVENT_TYPES } from '../../src/events/types.ts';
import { ERROR_CODES } from '../../src/withdrawals/errors.ts';
import { withdrawalRequestSchema } from '../../src/withdrawals/request.ts';
import { STATUSES } from '../../src/withdrawals/status.ts';
import { withdrawalBody } from '../support/invoices.ts';
import { startPipeline, type Pipeline } from '../support/pipeline.ts';

type Json = Record<string, any>;

let p: Pipeline;
let doc: OpenApiDocument;
let ajv: Ajv2020;

beforeAll(async () => {
  p = await startPipeline({ workers: false, env: { DASHBOARD_USER: 'ops', DASHBOARD_PASSWORD: 'dashboard-secret-1' } });
  const res = await fetch(`${p.baseUrl}/openapi.json`);
  expect(res.status).toBe(200);
  doc = (await res.json()) as OpenApiDocument;
  ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormatsPlugin.default(ajv);
  ajv.addSchema(doc, 'doc');
});
afterAll(async () => p.close());

function docFile(name: string, content: unknown): string {
  const file = join(mkdtempSync(join(tmpdir(), 'openapi-')), name);
  writeFileSync(file, JSON.stringify(content));
  return file;
}

/** The compiled schema at a JSON pointer of the document (so `$ref`s resolve against it). */
function schemaAt(path: readonly string[]): ValidateFunction {
  const pointer = path.map((s) => encodeURIComponent(s.replace(/~/g, '~0').replace(/\//g, '~1'))).join('/');
  const validate = ajv.getSchema(`doc#/${pointer}`);
  if (!validate) throw new Error(`no schema at ${path.join(' ')}`);
  return validate;
}

/** Every `examples` of a media type in the document, with the path of the schema it illustrates. */
function* mediaExamples(): Generator<{ where: string; schemaPath: string[]; value: unknown }> {
  const ops: [string[], Json][] = [];
  for (const [path, item] of Object.entries(doc.paths)) for (const [method, op] of Object.entries(item)) ops.push([['paths', path, method], op]);
  for (const [name, item] of Object.entries(doc.webhooks as Json)) for (const [method, op] of Object.entries(item as Json)) ops.push([['webhooks', name, method], op as Json]);
  for (const [base, op] of ops) {
    const contents: [string[], Json][] = [];
    if (op.requestBody) contents.push([[...base, 'requestBody', 'content'], op.requestBody.content]);
    for (const [status, res] of Object.entries(op.responses as Json)) if (res.content) contents.push([[...base, 'responses', status, 'content'], res.content]);
    for (const [at, content] of contents) {
      for (const [type, media] of Object.entries(content)) {
        for (const [name, example] of Object.entries((media.examples ?? {}) as Json)) {
          yield { where: `${[...at, type].join(' ')} example ${name}`, schemaPath: [...at, type, 'schema'], value: example.value };
        }
      }
    }
  }
}

describe('GET /openapi.json', () => {
  it('is served without a token and is a valid OpenAPI 3.1 document', async () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc).toEqual(JSON.parse(JSON.stringify(p.api.openapi.document)));
    // From a file, as a generator would read it (a copy: validate() dereferences what it is given).
    await expect(SwaggerParser.validate(docFile('openapi.json', doc))).resolves.toBeTruthy();
  });

  it('a broken document is refused by the validator (the check can fail)', async () => {
    const broken = structuredClone(doc) as Json;
    broken.paths['/v1/withdrawals'].post.responses['202'].content['application/json'].schema = { $ref: '#/components/schemas/Nope' };
    await expect(SwaggerParser.validate(docFile('broken.json', broken))).rejects.toThrow(/Nope/);
  });

  it('describes every route the server has, and every route of interface.md', () => {
    expect(p.api.openapi.undocumented()).toEqual([]);
    const operations = Object.entries(doc.paths).flatMap(([path, item]) => Object.keys(item).map((m) => `${m.toUpperCase()} ${path}`));
    for (const route of [
      'POST /v1/withdrawals',
      'GET /v1/withdrawals/{id}',
      'POST /v1/withdrawals/{id}/cancel',
      'POST /v1/withdrawals/{id}/resolve',
      'POST /v1/batches',
      'GET /v1/batches/{id}',
      'GET /v1/events',
      'POST /v1/webhooks',
      'GET /v1/webhooks',
      'DELETE /v1/webhooks/{id}',
      'POST /v1/webhooks/{id}/replay',
      'GET /healthz',
      'GET /readyz',
      'GET /metrics',
      'GET /admin/queues',
      'GET /openapi.json',
      'GET /docs',
    ]) {
      expect(operations).toContain(route);
    }
  });

  it('declares bearer auth on /v1/*, basic auth on /admin/*, none elsewhere', () => {
    const schemes = (doc.components as Json).securitySchemes;
    expect(schemes.bearerAuth).toEqual(expect.objectContaining({ type: 'http', scheme: 'bearer' }));
    expect(schemes.basicAuth).toEqual(expect.objectContaining({ type: 'http', scheme: 'basic' }));
    for (const [path, item] of Object.entries(doc.paths)) {
      const expected = path.startsWith('/v1/') ? [{ bearerAuth: [] }] : path.startsWith('/admin/') ? [{ basicAuth: [] }] : [];
      for (const [method, op] of Object.entries(item)) expect(op.security, `${method} ${path}`).toEqual(expected);
    }
  });

  it('enumerates the error codes, status words and event types of the code', () => {
    const schemas = (doc.components as Json).schemas;
    expect(schemas.ErrorCode.enum).toEqual([...ERROR_CODES]);
    expect(schemas.Status.enum).toEqual([...STATUSES]);
    expect(schemas.EventType.enum).toEqual([...EVENT_TYPES]);
    expect(schemas.ErrorBody.properties.error.$ref).toBe('#/components/schemas/Error');
    expect(schemas.WithdrawalRecord.properties.status.$ref).toBe('#/components/schemas/Status');
  });

  it('has examples, every one valid against its schema', () => {
    let count = 0;
    for (const { where, schemaPath, value } of mediaExamples()) {
      const validate = schemaAt(schemaPath);
      expect(validate(value), `${where}: ${ajv.errorsText(validate.errors)}`).toBe(true);
      count++;
    }
    expect(count).toBeGreaterThan(30);
    const wrong = schemaAt(['components', 'schemas', 'WithdrawalRecord']);
    expect(wrong({ id: 'x', status: 'paid' })).toBe(false);
  });

  it('documents the request bodies with the very schemas that validate them', () => {
    const documented = schemaAt(['components', 'schemas', 'WithdrawalRequest']);
    const { body } = withdrawalBody('aurpay');
    const samples: unknown[] = [
      body,
      { ...body, amountMsat: '25000000', description: 'd', metadata: { a: 1 } },
      { id: 'onchain-1', provider: 'turinpay', address: 'bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080' },
      { ...body, address: 'bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080' },
      { id: 'no-target', provider: 'aurpay' },
      { ...body, provider: 'paypal' },
      { ...body, id: 'spaces are not allowed' },
      { ...body, amountMsat: 36000 },
      { ...body, amountMsat: '036000' },
      { ...body, extra: true },
      { ...body, metadata: 'text' },
      [],
      'text',
    ];
    for (const sample of samples) {
      expect(documented(sample), JSON.stringify(sample)).toBe(withdrawalRequestSchema.safeParse(sample).success);
    }
  });
});

describe('GET /docs', () => {
  it('serves Swagger UI from this server, no CDN', async () => {
    const res = await fetch(`${p.baseUrl}/docs`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = await res.text();
    const refs = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1] ?? '');
    expect(refs.length).toBeGreaterThanOrEqual(4);
    for (const ref of refs) {
      expect(ref).not.toMatch(/^(https?:)?\/\//);
      const asset = await fetch(new URL(ref, `${p.baseUrl}/docs`));
      expect(asset.status, ref).toBe(200);
      expect((await asset.arrayBuffer()).byteLength, ref).toBeGreaterThan(100);
    }
    const init = await (await fetch(`${p.baseUrl}/docs/assets/init.js`)).text();
    expect(init).toContain("'../../openapi.json'");
    expect(init).toContain('validatorUrl: null');
  });

  it('serves only the assets the page uses', async () => {
    expect((await fetch(`${p.baseUrl}/docs/assets/package.json`)).status).toBe(404);
    expect((await fetch(`${p.baseUrl}/docs/assets/..%2F..%2Fpackage.json`)).status).toBe(404);
  });
});
