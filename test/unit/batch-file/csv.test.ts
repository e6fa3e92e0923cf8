import { describe, expect, it } from 'vitest';
import { BatchFileError, csvItems } from '../../../src/batch-file/index.ts';
import { csvRecords, MAX_CSV_RECORD_CHARS } from '../../../src/batch-file/csv-records.ts';
import { RefusedItem } from '../../../src/withdrawals/batches.ts';

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

async function* text(...parts: string[]): AsyncGenerator<string> {
  yield* parts;
}

const HEADER = 'id,provider,invoice,address,amountMsat,description\n';

describe('csvRecords', () => {
  it('reads quoted fields with commas, doubled quotes and line breaks, and trims unquoted blanks', async () => {
    const records = await collect(csvRecords(text('a , "b,c" ,"say ""hi""","two\nlines",', '\n\n"x"\n')));
    expect(records).toEqual([
      { ok: true, line: 1, fields: ['a', 'b,c', 'say "hi"', 'two\nlines', ''] },
      { ok: true, line: 4, fields: ['x'] },
    ]);
  });

  it('keeps a quote inside an unquoted field as a character', async () => {
    expect(await collect(csvRecords(text('5" pipe,b\n')))).toEqual([{ ok: true, line: 1, fields: ['5" pipe', 'b'] }]);
  });

  it('refuses a record with characters after a closing quote, and only that record', async () => {
    const records = await collect(csvRecords(text('"x"y,z\nc,d\n')));
    expect(records[0]).toMatchObject({ ok: false, line: 1, message: expect.stringMatching(/after its closing quote/) });
    expect(records[1]).toEqual({ ok: true, line: 2, fields: ['c', 'd'] });
  });

  it('refuses a quoted field never closed, and a record past the size limit, then goes on', async () => {
    expect(await collect(csvRecords(text('a,b\n"open,c\n')))).toEqual([
      { ok: true, line: 1, fields: ['a', 'b'] },
      { ok: false, line: 2, message: 'a quoted field is never closed' },
    ]);
    const long = await collect(csvRecords(text(`x,${'y'.repeat(MAX_CSV_RECORD_CHARS)}\nc,d\n`)));
    expect(long[0]).toMatchObject({ ok: false, line: 1 });
    expect(long[1]).toEqual({ ok: true, line: 2, fields: ['c', 'd'] });
  });
});

describe('csvItems', () => {
  it('turns rows into withdrawal bodies, empty cells absent, columns in any order', async () => {
    const items = await collect(csvItems(text(HEADER, 'w1,aurpay,lnbcrt1x,,2000,"weekly, paid"\n', 'w2,turinpay,,bcrt1qabc,,\n')));
    expect(items).toEqual([
      { id: 'w1', provider: 'aurpay', invoice: 'lnbcrt1x', amountMsat: '2000', description: 'weekly, paid' },
      { id: 'w2', provider: 'turinpay', address: 'bcrt1qabc' },
    ]);
    expect(await collect(csvItems(text('provider,id\naurpay,w3\n')))).toEqual([{ id: 'w3', provider: 'aurpay' }]);
  });

  it('refuses rows with the wrong number of fields or broken quotes in place, keeping the id when it can', async () => {
    const items = await collect(csvItems(text(HEADER, 'w1,aurpay,lnbcrt1x\n', '"w2"x,aurpay,a,,,\n', 'w3,aurpay,lnbcrt1y,,,\n')));
    expect(items).toHaveLength(3);
    const [first, second] = items;
    if (!(first instanceof RefusedItem) || !(second instanceof RefusedItem)) throw new Error('expected two refused items');
    expect(first.id).toBe('w1');
    expect(first.error).toMatchObject({ code: 'invalid_request', message: 'line 2: 3 fields where the header has 6' });
    expect(second.id).toBeNull();
    expect(second.error.message).toMatch(/^line 3: a quoted field has characters after its closing quote/);
    expect(items[2]).toEqual({ id: 'w3', provider: 'aurpay', invoice: 'lnbcrt1y' });
  });

  it('refuses a header with an unknown, repeated or missing column before any item', async () => {
    await expect(collect(csvItems(text('id,provider,amount\n')))).rejects.toThrow(/unknown column "amount"/);
    await expect(collect(csvItems(text('id,id,provider\n')))).rejects.toThrow(/appears twice/);
    await expect(collect(csvItems(text('id,invoice\nw,x\n')))).rejects.toBeInstanceOf(BatchFileError);
  });
});
