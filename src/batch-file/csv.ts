import { RefusedItem } from '../withdrawals/batches.ts';
import { apiError } from '../withdrawals/errors.ts';
import { csvRecords } from './csv-records.ts';
import { BatchFileError } from './errors.ts';

/** The columns a batch CSV may have (interface.md), in any order; `id` and `provider` are required. */
export const CSV_COLUMNS = ['id', 'provider', 'invoice', 'lightningAddress', 'address', 'amountMsat', 'description'] as const;
type CsvColumn = (typeof CSV_COLUMNS)[number];

function headerColumns(fields: string[]): CsvColumn[] {
  const columns: CsvColumn[] = [];
  for (const name of fields) {
    const column = CSV_COLUMNS.find((c) => c === name);
    if (!column) throw new BatchFileError(`unknown column ${JSON.stringify(name)} in the CSV header; the columns are ${CSV_COLUMNS.join(',')}`);
    if (columns.includes(column)) throw new BatchFileError(`column ${name} appears twice in the CSV header`);
    columns.push(column);
  }
  for (const needed of ['id', 'provider'] as const) {
    if (!columns.includes(needed)) throw new BatchFileError(`the CSV header has no ${needed} column; the columns are ${CSV_COLUMNS.join(',')}`);
  }
  return columns;
}

function refused(id: string | null, line: number, message: string): RefusedItem {
  return new RefusedItem(id, apiError('invalid_request', `line ${line}: ${message}`, [{ path: `(line ${line})`, message }]));
}

/**
 * A CSV batch (header row, then one withdrawal per record; an empty cell is an absent field) as a
 * stream of withdrawal bodies. A record that is not CSV, or has the wrong number of fields, becomes
 * a `RefusedItem` in its place. A missing or wrong header throws `BatchFileError` before any item.
 */
export async function* csvItems(source: AsyncIterable<Uint8Array | string>): AsyncGenerator<unknown> {
  let columns: CsvColumn[] | null = null;
  for await (const record of csvRecords(source)) {
    const fields = record.ok ? record.fields : record.message;
    if (!columns) {
      if (typeof fields === 'string') throw new BatchFileError(`the CSV header (line ${record.line}) is not valid: ${fields}`);
      columns = headerColumns(fields);
      continue;
    }
    if (typeof fields === 'string') {
      yield refused(null, record.line, fields);
      continue;
    }
    const idAt = columns.indexOf('id');
    const id = fields[idAt] || null;
    if (fields.length !== columns.length) {
      yield refused(id, record.line, `${fields.length} fields where the header has ${columns.length}`);
      continue;
    }
    const body: Partial<Record<CsvColumn, string>> = {};
    columns.forEach((column, i) => {
      const value = fields[i];
      if (value) body[column] = value;
    });
    yield body;
  }
  if (!columns) throw new BatchFileError('the CSV body is empty: it needs a header row, then one row per withdrawal');
}
