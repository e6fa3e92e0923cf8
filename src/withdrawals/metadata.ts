import { z } from 'zod';

/** A withdrawal's `metadata` as JSON, in UTF-8 bytes, at most (interface.md "Limits"). */
export const METADATA_MAX_BYTES = 8 * 1024;
/** Levels of nesting `metadata` may have; the object itself is level 1. */
export const METADATA_MAX_DEPTH = 5;

export type JsonBound = { ok: true; bytes: number } | { ok: false; message: string };

function isPlainObject(value: object): value is Record<string, unknown> {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** UTF-8 bytes of a string as JSON writes it; a string longer than `limit` characters only needs to be known as too long. */
function stringBytes(s: string, limit: number): number {
  return s.length > limit ? limit + 1 : Buffer.byteLength(JSON.stringify(s));
}

/**
 * Measures `value` as `JSON.stringify` would write it, with an explicit stack and stopping at the
 * first bound passed: a hostile value nested thousands of levels deep, or megabytes wide, costs no
 * more than the bounds themselves (no recursion, no stringify of the whole value). Only JSON values
 * count: plain objects, arrays, strings, finite numbers, booleans and null (`undefined` in an object
 * is left out, as JSON leaves it out).
 */
export function measureJson(value: unknown, bounds: { maxBytes: number; maxDepth: number }): JsonBound {
  const tooLarge: JsonBound = { ok: false, message: `is larger than ${bounds.maxBytes} bytes as JSON` };
  let bytes = 0;
  const stack: Array<{ value: unknown; depth: number }> = [{ value, depth: 0 }];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const v = item.value;
    if (v === null || v === true) bytes += 4;
    else if (v === false) bytes += 5;
    else if (typeof v === 'number') {
      if (!Number.isFinite(v)) return { ok: false, message: 'holds a number JSON cannot write (NaN or Infinity)' };
      bytes += String(v).length;
    } else if (typeof v === 'string') bytes += stringBytes(v, bounds.maxBytes);
    else if (typeof v === 'object' && (Array.isArray(v) || isPlainObject(v))) {
      const depth = item.depth + 1;
      if (depth > bounds.maxDepth) return { ok: false, message: `is nested more than ${bounds.maxDepth} levels deep (the object itself is level 1)` };
      bytes += 2;
      let entries = 0;
      // Every entry costs at least a byte, so a wide value stops here once past the limit, unread.
      if (Array.isArray(v)) {
        for (let i = 0; i < v.length && bytes <= bounds.maxBytes; i++) {
          if (entries++ > 0) bytes += 1;
          // An array writes a missing or undefined element as null.
          stack.push({ value: v[i] ?? null, depth });
        }
      } else {
        for (const key in v) {
          if (bytes > bounds.maxBytes) break;
          if (!Object.hasOwn(v, key) || v[key] === undefined) continue;
          if (entries++ > 0) bytes += 1;
          bytes += stringBytes(key, bounds.maxBytes) + 1;
          stack.push({ value: v[key], depth });
        }
      }
    } else {
      return { ok: false, message: `holds a ${typeof v === 'object' ? 'non-JSON object' : typeof v}; only JSON values can be stored` };
    }
    if (bytes > bounds.maxBytes) return tooLarge;
  }
  return { ok: true, bytes };
}

/** `metadata`: a JSON object of at most 8 KiB as JSON and at most 5 levels deep, stored and returned as given. */
export const metadataSchema = z
  .record(z.string(), z.unknown())
  .superRefine((value, ctx) => {
    const measured = measureJson(value, { maxBytes: METADATA_MAX_BYTES, maxDepth: METADATA_MAX_DEPTH });
    if (!measured.ok) ctx.addIssue({ code: 'custom', message: `metadata ${measured.message}` });
  })
  .describe(`a JSON object, at most ${METADATA_MAX_BYTES} bytes as JSON and ${METADATA_MAX_DEPTH} levels deep (the object itself is level 1)`);
