import { createHash } from 'node:crypto';

/** A container being written: its entries left to write, and whether one was written (for the commas). */
interface Frame {
  close: ']' | '}';
  entries: Array<[key: string | null, value: unknown]>;
  next: number;
  wrote: boolean;
}

/** What JSON.stringify leaves out of an object and writes as null in an array. */
function omitted(value: unknown): boolean {
  return value === undefined || typeof value === 'function' || typeof value === 'symbol';
}

function open(value: object): Frame {
  if (Array.isArray(value)) {
    const entries: Frame['entries'] = [];
    for (let i = 0; i < value.length; i++) entries.push([null, value[i]]);
    return { close: ']', entries, next: 0, wrote: false };
  }
  const record = value as Record<string, unknown>;
  const entries: Frame['entries'] = [];
  for (const key of keyOrder(Object.keys(record))) if (!omitted(record[key])) entries.push([key, record[key]]);
  return { close: '}', entries, next: 0, wrote: false };
}

/** ECMAScript's "array index": an object lists these first, in numeric order, whatever the insertion order. */
function isArrayIndex(key: string): boolean {
  return /^(0|[1-9][0-9]{0,9})$/.test(key) && Number(key) < 2 ** 32 - 1;
}

/**
 * The order the former hash wrote an object's keys in: it copied them, sorted, into a fresh object,
 * which lists array-index keys first in numeric order, and on which `__proto__` set the prototype
 * instead of adding a key.
 */
function keyOrder(keys: string[]): string[] {
  const sorted = keys.filter((k) => k !== '__proto__').sort();
  const indices = sorted.filter(isArrayIndex).sort((a, b) => Number(a) - Number(b));
  return indices.length === 0 ? sorted : [...indices, ...sorted.filter((k) => !isArrayIndex(k))];
}

/**
 * The body as JSON with object keys sorted, written with an explicit stack: a hostile body nested
 * thousands of levels deep must not overflow the call stack (a recursive walk would throw a
 * RangeError). Writes what `JSON.stringify` wrote of the key-sorted copy the recursive version made,
 * so stored hashes stay valid.
 */
function canonicalJson(body: unknown): string {
  const out: string[] = [];
  const stack: Frame[] = [];
  const write = (value: unknown): void => {
    if (value !== null && typeof value === 'object') {
      const frame = open(value);
      out.push(frame.close === ']' ? '[' : '{');
      stack.push(frame);
    } else {
      // Primitives as JSON.stringify writes them (a bigint throws, as it always did).
      out.push(omitted(value) ? 'null' : (JSON.stringify(value) ?? 'null'));
    }
  };
  if (omitted(body)) throw new TypeError('a body to hash must be a JSON value');
  write(body);
  for (let top = stack.at(-1); top !== undefined; top = stack.at(-1)) {
    const entry = top.entries[top.next++];
    if (entry === undefined) {
      out.push(top.close);
      stack.pop();
      continue;
    }
    if (top.wrote) out.push(',');
    top.wrote = true;
    if (entry[0] !== null) out.push(`${JSON.stringify(entry[0])}:`);
    write(entry[1]);
  }
  return out.join('');
}

/** SHA-256 of the body with object keys sorted: the same request always hashes the same. */
export function bodyHash(body: unknown): string {
  return createHash('sha256').update(canonicalJson(body)).digest('hex');
}

/**
 * What a record stores of a body hash: its first 128 bits (32 hex digits), plenty to tell two bodies
 * sent with one id apart; create.lua cuts it the same way. Records stored before hold all 64.
 */
export function storedBodyHash(hash: string): string {
  return hash.slice(0, 32);
}

/** Whether a record's stored body hash (either length) is this body's hash. */
export function sameBody(stored: string | null | undefined, hash: string): boolean {
  return stored === hash || stored === storedBodyHash(hash);
}
