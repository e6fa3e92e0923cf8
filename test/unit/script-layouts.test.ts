import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SCRIPT_LAYOUTS } from '../../src/withdrawals/script-layouts.ts';

/**
 * Every Lua script's header names its keys and arguments in order; the layouts the store calls
 * them with (src/withdrawals/script-layouts.ts) must say the same, and the script must use exactly
 * that many (a key or argument added on one side only fails here, not in production).
 */
const source = (file: string) => readFileSync(new URL(`../../src/withdrawals/lua/${file}`, import.meta.url), 'utf8');

function header(lua: string, what: 'KEYS' | 'ARGV'): { names: string[]; perItem: boolean } {
  const line = lua.split('\n').find((l) => l.startsWith(`-- ${what}:`) || l.startsWith(`-- ${what} per item:`));
  if (!line) throw new Error(`no "-- ${what}:" header line`);
  const names = line.slice(line.indexOf(':') + 1).split(',').map((n) => n.trim());
  return { names, perItem: line.startsWith(`-- ${what} per item:`) };
}

/** The highest index the script reads: KEYS[n] / ARGV[n], or KEYS[k + n] / ARGV[a + n] per item. */
function highestIndex(lua: string, what: 'KEYS' | 'ARGV', perItem: boolean): number {
  const pattern = perItem ? new RegExp(`${what}\\[[ak] \\+ (\\d+)\\]`, 'g') : new RegExp(`${what}\\[(\\d+)\\]`, 'g');
  return Math.max(0, ...[...lua.matchAll(pattern)].map((m) => Number(m[1])));
}

describe('Lua script layouts', () => {
  it.each(SCRIPT_LAYOUTS.map((l) => [l.file, l] as const))('%s: its header names the layout’s keys and arguments, in order', (file, layout) => {
    const lua = source(file);
    const keys = header(lua, 'KEYS');
    const args = header(lua, 'ARGV');
    expect(keys.names).toEqual(layout.keys);
    expect(args.names).toEqual(layout.args);
    expect(keys.perItem).toBe(layout.perItem);
    expect(args.perItem).toBe(layout.perItem);
  });

  it.each(SCRIPT_LAYOUTS.map((l) => [l.file, l] as const))('%s: reads exactly as many keys and arguments as its layout names', (file, layout) => {
    const lua = source(file);
    expect(highestIndex(lua, 'KEYS', layout.perItem)).toBe(layout.keys.length);
    expect(highestIndex(lua, 'ARGV', layout.perItem)).toBe(layout.args.length);
  });

  it('layouts name each key and argument once', () => {
    for (const l of SCRIPT_LAYOUTS) {
      expect(new Set(l.keys).size, l.file).toBe(l.keys.length);
      expect(new Set(l.args).size, l.file).toBe(l.args.length);
    }
  });
});
