import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApi } from '../../src/api/server.ts';
import { createLogger } from '../../src/logger.ts';
import { startPipeline, type Pipeline } from '../support/pipeline.ts';

let p: Pipeline;
beforeAll(async () => {
  p = await startPipeline({ workers: false });
});
afterAll(async () => p.close());

describe('a closing API', () => {
  it("answers a request that still arrives with 503 unavailable and the API's error body, not the framework's", async () => {
    let release: () => void = () => undefined;
    const app = await buildApi({
      ...p.runtime.enqueueDeps,
      tokens: [],
      logger: createLogger('silent'),
      extend: async (a) => {
        a.get('/test-slow', async () => new Promise<string>((r) => (release = () => r('done'))));
      },
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    // Two requests on one keep-alive connection: the first is in flight when the server starts closing,
    // and the second arrives while it closes.
    const socket = connect(port, '127.0.0.1');
    let text = '';
    socket.on('data', (d: Buffer) => (text += d.toString('utf8')));
    const ended = new Promise((r) => socket.on('close', r));
    socket.write('GET /test-slow HTTP/1.1\r\nHost: x\r\n\r\n');
    await new Promise((r) => setTimeout(r, 100));
    const closing = app.close();
    await new Promise((r) => setTimeout(r, 50));
    socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    await new Promise((r) => setTimeout(r, 50));
    release();
    await Promise.race([ended, new Promise((r) => setTimeout(r, 5000))]);
    socket.destroy();
    await closing;
    const [, second] = text.split(/(?=HTTP\/1\.1 )/);
    expect(text).toMatch(/^HTTP\/1\.1 200/);
    expect(second).toMatch(/^HTTP\/1\.1 503/);
    expect(second?.toLowerCase()).toContain('connection: close');
    const body = JSON.parse(second?.slice(second.indexOf('\r\n\r\n') + 4) ?? '{}');
    expect(body).toEqual({ error: { code: 'unavailable', message: expect.stringContaining('shutting down'), issues: [] } });
  });
});
