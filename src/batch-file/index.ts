/**
 * Batch files (CSV, NDJSON) read as streams of withdrawal bodies for `enqueueBatch`: the API's
 * `POST /v1/batches` with a text/csv or application/x-ndjson body, and `withdrawals batch FILE`.
 */
import { extname } from 'node:path';
import { csvItems } from './csv.ts';
import { BatchFileError } from './errors.ts';
import { ndjsonItems } from './ndjson.ts';

export { CSV_COLUMNS, csvItems } from './csv.ts';
export { ndjsonItems } from './ndjson.ts';
export { BatchFileError } from './errors.ts';
export { BodyTooLargeError, limitBytes } from './limit.ts';

export type BatchFileFormat = 'csv' | 'ndjson';

/** Media types of streamed batch bodies. */
export const BATCH_MEDIA_TYPES: Readonly<Record<string, BatchFileFormat>> = {
  'text/csv': 'csv',
  'application/x-ndjson': 'ndjson',
  'application/ndjson': 'ndjson',
  'application/jsonl': 'ndjson',
};

/** By file extension: `.csv`, or `.ndjson` / `.jsonl`. */
export function formatOfPath(path: string): BatchFileFormat | null {
  const ext = extname(path).toLowerCase();
  if (ext === '.csv') return 'csv';
  if (ext === '.ndjson' || ext === '.jsonl') return 'ndjson';
  return null;
}

/**
 * The items of a batch file, read as they arrive. An item that cannot be read is a `RefusedItem`
 * in its place; a file without any item throws `BatchFileError` (nothing was enqueued by then).
 */
export async function* batchFileItems(format: BatchFileFormat, source: AsyncIterable<Uint8Array | string>): AsyncGenerator<unknown> {
  let count = 0;
  for await (const item of format === 'csv' ? csvItems(source) : ndjsonItems(source)) {
    count++;
    yield item;
  }
  if (count === 0) throw new BatchFileError('the batch has no items: a batch needs at least one');
}
