import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BATCH_BODY_LIMIT, BATCH_JSON_LIMIT } from '../../src/api/batch-routes.ts';
import { withdrawalBody } from '../support/invoices.ts';
import { startPipeline, TEST_TOKEN, type Pipeline } from '../support/pipeline.ts';

let p: Pipeline;
beforeAll(async () => {
  p = await startPipeline({ workers: false });
});
afterAll(async () => p.close());

const MiB = 1024 * 1024;

interface Upload {
  status: number;
  body: any;
  /** Bytes the generator had produced when the answer came. */
  sent: number;
}

/**
 * POSTs a JSON batch of `total` bytes, chunked, produced piece by piece by a generator (never held
 * in memory), and stops producing once the answer arrives.
 */
function streamJsonBatch(total: number, headers: Record<string, string> = {}): Promise<Upload> {
  const item = `${JSON.stringify(withdrawalBody('aurpay').body)},`;
  const chunk = Buffer.from(item.repeat(Math.ceil((64 * 1024) / item.length)));
  return new Promise((resolve, reject) => {
    let sent = 0;
    let answered = false;
    const req = request(
      `${p.baseUrl}/v1/batches`,
      { method: 'POST', headers: { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'application/json', ...headers } },
      (res) => {
        answered = true;
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')), sent });
          req.destroy();
        });
      },
    );
    // The server closes the connection once it answered: writes after that fail, as they should.
    req.on('error', (err) => (answered ? undefined : reject(err)));
    function pump(): void {
      while (!answered && !req.destroyed) {
        if (sent === 0) {
          req.write('{"items":[');
          sent += 10;
        }
        if (sent >= total) {
          req.end('{}]}');
          return;
        }
        sent += chunk.length;
        if (!req.write(chunk)) {
          req.once('drain', pump);
          return;
        }
      }
    }
    pump();
  });
}

async function healthz(): Promise<number> {
  return (await fetch(`${p.baseUrl}/healthz`)).status;
}

describe('body limits', () => {
  it('answers 413 to a 128 MiB JSON batch once 4 MiB arrived, never reading the rest, while /healthz answers', async () => {
    const uploads = Promise.all([streamJsonBatch(BATCH_BODY_LIMIT), streamJsonBatch(BATCH_BODY_LIMIT)]);
    let done = false;
    void uploads.finally(() => (done = true));
    const probes: number[] = [];
    while (!done) probes.push(await healthz());
    for (const up of await uploads) {
      expect(up.status).toBe(413);
      expect(up.body.error).toMatchObject({ code: 'invalid_request', message: `the body is larger than ${BATCH_JSON_LIMIT} bytes` });
      // Refused as soon as the limit passed: the socket's buffers hold a few MiB at most beyond it.
      expect(up.sent).toBeLessThan(BATCH_JSON_LIMIT + 32 * MiB);
    }
    expect(probes.length).toBeGreaterThan(0);
    expect(probes.every((s) => s === 200)).toBe(true);
    expect(await healthz()).toBe(200);
  });

  it('answers 413 to a JSON batch declared over 4 MiB before reading it', async () => {
    const up = await new Promise<{ status: number; body: any }>((resolve, reject) => {
      const headers = { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'application/json', 'content-length': String(BATCH_JSON_LIMIT + 1) };
      const req = request(`${p.baseUrl}/v1/batches`, { method: 'POST', headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
          req.destroy();
        });
      });
      req.on('error', reject);
      req.write('{"items":[');
    });
    expect(up.status).toBe(413);
    expect(up.body.error.code).toBe('invalid_request');
  });

  it('accepts a JSON batch between 64 KiB and 4 MiB', async () => {
    const items = Array.from({ length: 150 }, () => withdrawalBody('turinpay', 25_000_000n, { description: 'd'.repeat(640) }).body);
    const body = JSON.stringify({ id: 'json-mid-1', items });
    expect(body.length).toBeGreaterThan(64 * 1024);
    const res = await p.call('POST', '/v1/batches', body);
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ batchId: 'json-mid-1', accepted: 150 });
  });

  it('keeps 64 KiB on every other JSON route', async () => {
    const res = await p.call('POST', '/v1/withdrawals', { ...withdrawalBody('aurpay').body, metadata: { pad: 'x'.repeat(65 * 1024) } });
    expect(res.status).toBe(413);
    expect(res.body.error).toMatchObject({ code: 'invalid_request', message: `the body is larger than ${64 * 1024} bytes` });
  });
});
