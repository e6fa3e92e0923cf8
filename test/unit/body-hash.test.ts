import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bodyHash, sameBody, storedBodyHash } from '../../src/withdrawals/body-hash.ts';

/** The former, recursive body hash: every stored idempotency hash was made by it. */
function recursiveCanonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(recursiveCanonical);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) out[key] = recursiveCanonical((value as Record<string, unknown>)[key]);
    return out;
  }
  return value;
}

function recursiveBodyHash(body: unknown): string {
  return createHash('sha256').update(JSON.stringify(recursiveCanonical(body))).digest('hex');
}

/** The hash, or that it threw (both versions refuse a bare `undefined`, which JSON cannot write). */
function outcome(hash: (body: unknown) => string, body: unknown): string {
  try {
    return hash(body);
  } catch (err) {
    return `throws ${(err as Error).name}`;
  }
}

const key = fc.oneof(fc.string(), fc.constantFrom('0', '1', '9', '10', '007', '4294967294', '4294967295', '-1', '1.5', 'a', 'B', '__proto__', 'constructor', 'toString'));
const leaf = fc.oneof(fc.string({ unit: 'binary' }), fc.double(), fc.integer(), fc.boolean(), fc.constant(null), fc.constant(undefined));
/** Bodies a few levels deep, with the keys where object key order is subtle (array indices, __proto__). */
const shallow = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small', maxDepth: 4 }, leaf, tie('array'), tie('object')),
  array: fc.array(tie('value'), { maxLength: 5 }),
  object: fc.dictionary(key, tie('value'), { maxKeys: 6 }),
})).value;

describe('bodyHash', () => {
  it('gives exactly the hash of the former recursive version on every shallow value', () => {
    fc.assert(
      fc.property(fc.oneof(shallow, fc.jsonValue({ maxDepth: 4 })), (body) => {
        expect(outcome(bodyHash, body)).toBe(outcome(recursiveBodyHash, body));
      }),
      { numRuns: 2000 },
    );
  });

  it('keeps the former key order on an object with number-like keys and a __proto__ key', () => {
    const body = JSON.parse('{"b":1,"10":2,"9":3,"a":[{"z":1,"2":null}],"__proto__":{"x":1},"-1":4}');
    expect(bodyHash(body)).toBe(recursiveBodyHash(body));
  });

  it('hashes a request with metadata the same whatever the order of its keys', () => {
    const a = { id: 'w-1', provider: 'aurpay', invoice: 'lnbcrt1', metadata: { userId: 'u-42', tags: ['x', 'y'] } };
    const b = { metadata: { tags: ['x', 'y'], userId: 'u-42' }, invoice: 'lnbcrt1', provider: 'aurpay', id: 'w-1' };
    expect(bodyHash(a)).toBe(bodyHash(b));
    expect(bodyHash(a)).not.toBe(bodyHash({ ...a, metadata: { userId: 'u-43', tags: ['x', 'y'] } }));
  });

  it('hashes a value nested 200,000 levels deep without overflowing the stack', () => {
    let arrays: unknown = 1;
    let objects: unknown = 1;
    for (let i = 0; i < 200_000; i++) {
      arrays = [arrays];
      objects = { a: objects };
    }
    expect(bodyHash({ id: 'deep', metadata: { arrays, objects } })).toMatch(/^[0-9a-f]{64}$/);
    expect(() => recursiveBodyHash(arrays)).toThrow(RangeError);
  });

  it('is stored as its first 32 hex digits, and a stored hash of either length matches only its own body', () => {
    const hash = bodyHash({ id: 'a', amountMsat: '1' });
    const other = bodyHash({ id: 'a', amountMsat: '2' });
    expect(storedBodyHash(hash)).toBe(hash.slice(0, 32));
    expect(sameBody(storedBodyHash(hash), hash)).toBe(true);
    expect(sameBody(hash, hash)).toBe(true);
    expect(sameBody(storedBodyHash(other), hash)).toBe(false);
    expect(sameBody(other, hash)).toBe(false);
    expect(sameBody(null, hash)).toBe(false);
  });
});
