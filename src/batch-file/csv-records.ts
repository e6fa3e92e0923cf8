import { splitLines } from './lines.ts';

/** Longest CSV record read (all its lines): far above any valid row (invoice 7089 + description 640). */
export const MAX_CSV_RECORD_CHARS = 64 * 1024;

/** One CSV record: its fields, or why it is not CSV. `line` is the record's first line. */
export type CsvRecord = { ok: true; line: number; fields: string[] } | { ok: false; line: number; message: string };

const QUOTE = '"';

/**
 * The fields of one record, read line by line. RFC 4180 with the usual leniencies: blanks around a
 * field are trimmed, a quote opens a quoted field only at the field's start (elsewhere it is an
 * ordinary character), inside quotes `""` is a quote and line breaks are kept. Characters after a
 * closing quote make the record invalid but do not change where it ends.
 */
class RecordReader {
  fields: string[] = [];
  private field = '';
  private inQuotes = false;
  problem: string | null = null;

  /** Reads one line; true when the record ends with it (no quoted field left open). */
  feed(line: string): boolean {
    let i = 0;
    while (i <= line.length) {
      if (this.inQuotes) {
        const q = line.indexOf(QUOTE, i);
        if (q === -1) {
          this.field += `${line.slice(i)}\n`;
          return false;
        }
        this.field += line.slice(i, q);
        if (line[q + 1] === QUOTE) {
          this.field += QUOTE;
          i = q + 2;
          continue;
        }
        this.inQuotes = false;
        i = this.endField(line, q + 1, true);
        continue;
      }
      const start = line.slice(i).search(/[^ \t]/);
      if (start !== -1 && line[i + start] === QUOTE) {
        this.inQuotes = true;
        i += start + 1;
        continue;
      }
      i = this.endField(line, i, false);
    }
    return true;
  }

  /** Ends the field at the next comma (or the line's end); returns where the next field starts. */
  private endField(line: string, from: number, quoted: boolean): number {
    let comma = line.indexOf(',', from);
    if (comma === -1) comma = line.length;
    const rest = line.slice(from, comma);
    if (!quoted) this.field = rest.trim();
    else if (rest.trim() !== '') this.problem ??= 'a quoted field has characters after its closing quote (inside quotes write a quote as "")';
    this.fields.push(this.field);
    this.field = '';
    return comma + 1;
  }

  /** The input ended inside a quoted field. */
  get open(): boolean {
    return this.inQuotes;
  }
}

/**
 * Cuts a streamed CSV body into records as it arrives. Each record is read on its own, so a broken
 * one is refused alone instead of taking the rest of the file with it (a streaming CSV parser stays
 * inside a bad quote to the end). Blank lines are skipped.
 */
export async function* csvRecords(source: AsyncIterable<Uint8Array | string>): AsyncGenerator<CsvRecord> {
  let reader: RecordReader | null = null;
  let first = 0;
  let chars = 0;
  for await (const line of splitLines(source, MAX_CSV_RECORD_CHARS)) {
    if (!reader) {
      if (line.text.trim() === '' && !line.tooLong) continue;
      reader = new RecordReader();
      first = line.number;
      chars = 0;
    }
    chars += line.text.length;
    if (line.tooLong || chars > MAX_CSV_RECORD_CHARS) {
      yield { ok: false, line: first, message: `the record is longer than ${MAX_CSV_RECORD_CHARS} characters` };
      reader = null;
      continue;
    }
    if (!reader.feed(line.text)) continue;
    yield reader.problem ? { ok: false, line: first, message: reader.problem } : { ok: true, line: first, fields: reader.fields };
    reader = null;
  }
  if (reader?.open) yield { ok: false, line: first, message: 'a quoted field is never closed' };
}
