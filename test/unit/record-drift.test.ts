/**
 * The record's fields, the status words and the transition table are defined once in TypeScript
 * (src/withdrawals/status.ts, types.ts, record-codec.ts); the Lua scripts and the API schema restate
 * them. Each restatement is checked here against the definition, so a drift fails a test.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { statusSchema } from '../../src/api/schemas/common.ts';
import { withdrawalRecordSchema, withdrawalViewSchema } from '../../src/api/schemas/record.ts';
import { parseRecord, publicRecord } from '../../src/withdrawals/record-codec.ts';
import { STATUSES, TERMINAL_STATUSES, TRANSITIONS } from '../../src/withdrawals/status.ts';

const viewLua = readFileSync(new URL('../../src/withdrawals/lua/view.lua', import.meta.url), 'utf8');
const quoted = (text: string) => [...text.matchAll(/'([a-z_:A-Z]+)'/g)].map((m) => m[1]);

function luaBlock(start: RegExp, end: string): string {
  const at = viewLua.search(start);
  expect(at, `${start} in view.lua`).toBeGreaterThanOrEqual(0);
  const rest = viewLua.slice(at);
  return rest.slice(0, rest.indexOf(end) + end.length);
}

describe('the Lua scripts restate the definitions exactly', () => {
  it('STATUSES: the same words in the same order', () => {
    expect(quoted(luaBlock(/local STATUSES = \{/, '}'))).toEqual([...STATUSES]);
  });

  it('FINAL: exactly the statuses no transition leaves', () => {
    const final = [...luaBlock(/local FINAL = \{/, '}').matchAll(/(\w+) = true/g)].map((m) => m[1]).sort();
    expect(final).toEqual(STATUSES.filter((s) => TRANSITIONS[s].length === 0).sort());
  });

  it('batch.done counts exactly the terminal statuses', () => {
    const fields = quoted(luaBlock(/local b = redis\.call\('HMGET', bkey/, ')')).filter((f) => f?.startsWith('n:'));
    expect(fields.map((f) => f?.slice(2)).sort()).toEqual([...TERMINAL_STATUSES].sort());
  });

  it("record_json writes exactly the public record's fields, in the codec's order", () => {
    const block = luaBlock(/local function record_json/, '\nend');
    const keys = [...block.matchAll(/"([A-Za-z]+)":/g)].map((m) => m[1]);
    const full: Record<string, string> = {
      id: 'w',
      owner: 'shop',
      provider: 'aurpay',
      status: 'queued',
      attempts: '0',
      createdAt: '2026-11-21T10:00:00.000Z',
      updatedAt: '2026-11-21T10:00:00.000Z',
    };
    const { history: _history, ...view } = publicRecord(parseRecord(full, []));
    expect(keys.sort()).toEqual(Object.keys(view).sort());
    expect(Object.keys(withdrawalViewSchema.shape).sort()).toEqual(Object.keys(view).sort());
    expect(Object.keys(withdrawalRecordSchema.shape).sort()).toEqual([...Object.keys(view), 'history'].sort());
  });
});

describe('the API schema restates the status words', () => {
  it('the status enum is STATUSES, and its description explains every word', () => {
    expect(statusSchema.options).toEqual([...STATUSES]);
    for (const s of STATUSES) expect(statusSchema.description).toContain(`${s}`);
  });

  it('every status a transition names is a status word', () => {
    for (const targets of Object.values(TRANSITIONS)) for (const t of targets) expect(STATUSES).toContain(t);
  });
});
