import { describe, expect, it } from 'vitest';
import { limitBytes, BodyTooLargeError } from '../../../src/batch-file/index.ts';
import { splitLines } from '../../../src/batch-file/lines.ts';

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

async function* chunks(...parts: (string | Uint8Array)[]): AsyncGenerator<string | Uint8Array> {
  yield* parts;
}

describe('splitLines', () => {
  it('splits across chunk boundaries, drops \\r and numbers lines from 1', async () => {
    const lines = await collect(splitLines(chunks('a,b\r\nc', 'd\n\ne', 'f'), 100));
    expect(lines.map((l) => [l.number, l.text])).toEqual([
      [1, 'a,b'],
      [2, 'cd'],
      [3, ''],
      [4, 'ef'],
    ]);
  });

  it('decodes UTF-8 split inside a character and drops a byte order mark', async () => {
    const bytes = Buffer.from('\uFEFFid\nPayé €5\n');
    const lines = await collect(splitLines(chunks(bytes.subarray(0, 10), bytes.subarray(10)), 100));
    expect(lines.map((l) => l.text)).toEqual(['id', 'Payé €5']);
  });

  it('reports an over-long line without keeping it, and goes on with the next', async () => {
    const lines = await collect(splitLines(chunks('short\n', 'x'.repeat(30), 'y'.repeat(30), '\nnext\n', 'z'.repeat(50)), 40));
    expect(lines).toEqual([
      { number: 1, text: 'short', tooLong: false },
      { number: 2, text: '', tooLong: true },
      { number: 3, text: 'next', tooLong: false },
      { number: 4, text: '', tooLong: true },
    ]);
  });
});

describe('limitBytes', () => {
  it('passes a body up to the limit and throws past it', async () => {
    expect(await collect(limitBytes(chunks('12345', '67890'), 10))).toEqual(['12345', '67890']);
    await expect(collect(limitBytes(chunks('12345', '678901'), 10))).rejects.toBeInstanceOf(BodyTooLargeError);
  });
});
