import { describe, expect, it } from 'vitest';
import { batchFileItems, BatchFileError, formatOfPath } from '../../../src/batch-file/index.ts';
import { MAX_NDJSON_LINE_CHARS, ndjsonItems } from '../../../src/batch-file/ndjson.ts';
import { RefusedItem } from '../../../src/withdrawals/batches.ts';

async function collect(it: AsyncIterable<unknown>): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (const x of it) out.push(x);
  return out;
}

async function* text(s: string): AsyncGenerator<string> {
  yield s;
}

describe('ndjsonItems', () => {
  it('yields one body per line, skipping blank lines', async () => {
    const items = await collect(ndjsonItems(text('{"id":"a","provider":"aurpay"}\n\n  \r\n{"id":"b","metadata":{"k":1}}')));
    expect(items).toEqual([{ id: 'a', provider: 'aurpay' }, { id: 'b', metadata: { k: 1 } }]);
  });

  it('refuses a line that is not JSON in its place, naming the line', async () => {
    const items = await collect(ndjsonItems(text('{"id":"a"}\n{"id": nope}\n{"id":"c"}\n')));
    expect(items).toHaveLength(3);
    const bad = items[1];
    expect(bad).toBeInstanceOf(RefusedItem);
    if (!(bad instanceof RefusedItem)) throw new Error('unreachable');
    expect(bad.error.code).toBe('invalid_request');
    expect(bad.error.message).toMatch(/^line 2: not valid JSON/);
    expect(items[2]).toEqual({ id: 'c' });
  });

  it('refuses an over-long line without holding it', async () => {
    const items = await collect(ndjsonItems(text(`{"id":"${'x'.repeat(MAX_NDJSON_LINE_CHARS)}"}\n{"id":"ok"}\n`)));
    expect(items[0]).toBeInstanceOf(RefusedItem);
    expect(items[1]).toEqual({ id: 'ok' });
  });
});

describe('batchFileItems', () => {
  it('refuses a file without items', async () => {
    await expect(collect(batchFileItems('ndjson', text('\n\n')))).rejects.toBeInstanceOf(BatchFileError);
    await expect(collect(batchFileItems('csv', text('id,provider\n')))).rejects.toBeInstanceOf(BatchFileError);
  });

  it('picks the format by extension', () => {
    expect(formatOfPath('/x/pay.CSV')).toBe('csv');
    expect(formatOfPath('pay.ndjson')).toBe('ndjson');
    expect(formatOfPath('pay.jsonl')).toBe('ndjson');
    expect(formatOfPath('pay.json')).toBeNull();
  });
});
