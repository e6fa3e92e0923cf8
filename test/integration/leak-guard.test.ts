/**
 * The leak guard (test/support/leak-guard.ts) that fails a test file leaving things open: it sees
 * each kind of leak while it is open, names it with its ports or command, and forgets it once
 * closed. Everything opened here is closed again, or the guard would fail this file.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { leaksSince, takeSnapshot, waitForLeaks } from '../support/leak-guard.ts';

async function listening(): Promise<Server> {
  const server = createServer((s) => s.on('error', () => {}));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return server;
}

const portOf = (server: Server) => (server.address() as AddressInfo).port;

// Open for the whole file and closed by the file's own afterAll: the guard's check runs after it.
let fileServer: Server;
beforeAll(async () => {
  fileServer = await listening();
});
afterAll(async () => {
  await new Promise((resolve) => fileServer.close(resolve));
});

describe('the leak guard', () => {
  it('reports a listening server and a connected socket with their ports, and nothing once they are closed', async () => {
    const baseline = takeSnapshot();
    const server = await listening();
    const port = portOf(server);
    const socket: Socket = connect(port, '127.0.0.1');
    await once(socket, 'connect');
    try {
      const leaks = leaksSince(baseline);
      expect(leaks.find((l) => l.includes('(TCPServerWrap)'))).toBe(`1 listening TCP server (TCPServerWrap): listening on 127.0.0.1:${port}`);
      // Both ends of the connection are in this process.
      expect(leaks.find((l) => l.includes('(TCPSocketWrap)'))).toMatch(new RegExp(`^2 TCP sockets \\(TCPSocketWrap\\): .*-> 127\\.0\\.0\\.1:${port}\\b`));
    } finally {
      socket.destroy();
      server.close();
    }
    // Closing takes an event-loop turn or two: the guard waits for it.
    expect(await waitForLeaks(baseline)).toEqual([]);
  });

  it('gives up after its timeout and lists what is still open', async () => {
    const baseline = takeSnapshot();
    const server = await listening();
    try {
      const started = Date.now();
      const leaks = await waitForLeaks(baseline, 300);
      expect(Date.now() - started).toBeGreaterThanOrEqual(300);
      expect(leaks).toEqual([`1 listening TCP server (TCPServerWrap): listening on 127.0.0.1:${portOf(server)}`]);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('reports a child process with its command line until it has exited', async () => {
    const baseline = takeSnapshot();
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], { stdio: 'ignore' });
    const exited = once(child, 'exit');
    try {
      const leaks = leaksSince(baseline);
      expect(leaks).toHaveLength(1);
      expect(leaks[0]).toMatch(new RegExp(`^1 child process \\(ProcessWrap\\): pid ${child.pid}: .* -e setTimeout`));
    } finally {
      child.kill('SIGKILL');
      await exited;
    }
    expect(await waitForLeaks(baseline)).toEqual([]);
  });

  it('reports a worker thread until it has exited', async () => {
    const baseline = takeSnapshot();
    const worker = new Worker('setInterval(() => {}, 1000)', { eval: true });
    try {
      await once(worker, 'online');
      expect(leaksSince(baseline)).toEqual([`1 worker thread: threadId ${worker.threadId}`]);
    } finally {
      await worker.terminate();
    }
    expect(await waitForLeaks(baseline)).toEqual([]);
  });

  it("ignores timers, and sockets and servers that are unref'd", async () => {
    const baseline = takeSnapshot();
    const timer = setTimeout(() => {}, 60_000);
    const server = await listening();
    server.unref();
    try {
      expect(leaksSince(baseline)).toEqual([]);
    } finally {
      clearTimeout(timer);
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('counts only what was opened after its snapshot', async () => {
    const server = await listening();
    try {
      expect(leaksSince(takeSnapshot())).toEqual([]);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
