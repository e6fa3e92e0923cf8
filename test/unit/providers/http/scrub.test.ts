import { describe, expect, it } from 'vitest';
import { createScrubber, rawExcerpt } from '../../../../src/providers/http/scrub.ts';

describe('createScrubber', () => {
  const scrub = createScrubber(['sk_live_ABCDEF', null, undefined, 'xy']);

  it('removes secrets from text and from every string of a JSON value', () => {
    expect(scrub.text('bad key sk_live_ABCDEF!')).toBe('bad key [redacted]!');
    expect(scrub.json({ a: ['sk_live_ABCDEF'], b: { c: 'x sk_live_ABCDEF' }, n: 1, z: null })).toEqual({
      a: ['[redacted]'],
      b: { c: 'x [redacted]' },
      n: 1,
      z: null,
    });
  });

  it('ignores too-short "secrets" that would mangle ordinary text', () => {
    expect(scrub.text('xylophone')).toBe('xylophone');
  });
});

describe('rawExcerpt', () => {
  it('keeps short text and bounds long text to 2 KB', () => {
    expect(rawExcerpt('short')).toBe('short');
    const long = 'a'.repeat(5000);
    const excerpt = rawExcerpt(long);
    expect(excerpt.startsWith('a'.repeat(2048))).toBe(true);
    expect(excerpt).toContain('2952 more chars');
    expect(excerpt.length).toBeLessThan(2100);
  });
});
