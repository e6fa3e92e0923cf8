import { RefusedItem } from '../withdrawals/batches.ts';
import { apiError } from '../withdrawals/errors.ts';
import { splitLines } from './lines.ts';

/** Longest NDJSON line read: far above any valid withdrawal body (invoice 7089 + description 640 + metadata). */
export const MAX_NDJSON_LINE_CHARS = 1024 * 1024;

function refusedLine(line: number, message: string): RefusedItem {
  return new RefusedItem(null, apiError('invalid_request', `line ${line}: ${message}`, [{ path: `(line ${line})`, message }]));
}

/**
 * NDJSON (one withdrawal body per line) as a stream of items. Blank lines are not items; a line that
 * is not JSON becomes a `RefusedItem` in its place, so item numbers stay those of the file.
 */
export async function* ndjsonItems(source: AsyncIterable<Uint8Array | string>): AsyncGenerator<unknown> {
  for await (const line of splitLines(source, MAX_NDJSON_LINE_CHARS)) {
    if (line.tooLong) {
      yield refusedLine(line.number, `longer than ${MAX_NDJSON_LINE_CHARS} characters`);
      continue;
    }
    const text = line.text.trim();
    if (text === '') continue;
    let item: unknown;
    try {
      item = JSON.parse(text);
    } catch (err) {
      item = refusedLine(line.number, `not valid JSON (${err instanceof Error ? err.message : String(err)})`);
    }
    yield item;
  }
}
