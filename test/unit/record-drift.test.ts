/**
 * The record's fields, the status words and the transition table are defined once in TypeScript
 * (src/withdrawals/status.ts, types.ts, record-codec.ts); the Lua scripts and the API schema restate
 * them. Each restatement is checked here against the definition, so a drift fails a test.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { statusSchema } from '../../src/api/schemas/common.ts';
import { FILLABLE, VIEW_ORDER } from '../../src/events/slim.ts';
import { withdrawalRecordSchema, withdrawalViewSchema } from '../../src/api/schemas/record.ts';
import { decodeWithdrawal, parseRecord, publicRecord, StoredRecordError } from '../../src/withdrawals/record-codec.ts';
import type { Withdrawal } from '../../src/withdrawals/withdrawal.ts';
import { BUILTIN_PROVIDER_NAMES as PROVIDERS } from '../../src/providers/index.ts';
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

  it("an event's view holds exactly the public record's fields, in the order the readers rebuild it", () => {
    const block = luaBlock(/local VIEW = \{/, '} }');
    const keys = [...block.matchAll(/\{ '([A-Za-z]+)', '[snro]' \}/g)].map((m) => m[1]);
    expect(keys).toEqual([...VIEW_ORDER]);
    const filled = [...luaBlock(/local FILLED = \{/, '}').matchAll(/(\w+) = true/g)].map((m) => m[1]);
    expect(filled).toEqual([...FILLABLE]);
    const full: Record<string, string> = {
      id: 'w',
      owner: 'shop',
      provider: 'aurpay',
      status: 'queued',
      attempts: '0',
      createdAt: '2026-11-21T10:00:00.000Z',
      updatedAt: '2026-11-21T10:00:00.000Z',
    };
    const { history: _history, ...view } = publicRecord(parseRecord(full, [], PROVIDERS));
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

describe('the codec decodes a stored hash once, checked', () => {
  /** Every field the scripts write to a withdrawal's hash (create.lua, transition.lua, approve.lua). */
  const stored: Record<string, string> = {
    id: 'w1',
    owner: 'shop',
    provider: 'turinpay',
    status: 'submitting',
    bodyHash: 'bh-1',
    attempts: '2',
    createdAt: '2026-11-21T10:00:00.000Z',
    updatedAt: '2026-11-21T10:00:05.000Z',
    budget: '{p}:day:shop:2026-11-21',
    invoice: 'lnbcrt1...',
    paymentHash: 'ab'.repeat(32),
    amountMsat: '123456789012345678',
    sendAmountMsat: '1000',
    feeMsat: '0',
    batchId: 'b1',
    description: 'payout',
    metadata: '{"order":7}',
    expiresAt: '1800000000000',
    route: 'aurpay,turinpay',
    tried: 'aurpay',
    reconcileDeadline: '1800000600000',
    fence: 'f-1',
    job: 'p_YjE_dHVyaW5wYXk_0',
    round: '1',
    providerRef: 'ref-9',
    failure: '{"code":"provider_rejected","message":"no"}',
  };

  it('decodes every field into a Withdrawal: the status and provider as their unions, amounts as bigint, numbers as numbers', () => {
    const expected: Withdrawal = {
      id: 'w1',
      owner: 'shop',
      provider: 'turinpay',
      status: 'submitting',
      bodyHash: 'bh-1',
      invoice: 'lnbcrt1...',
      lightningAddress: null,
      address: null,
      paymentHash: 'ab'.repeat(32),
      description: 'payout',
      amountMsat: 123456789012345678n,
      sendAmountMsat: 1000n,
      feeMsat: 0n,
      providerRef: 'ref-9',
      batchId: 'b1',
      fence: 'f-1',
      job: 'p_YjE_dHVyaW5wYXk_0',
      round: 1,
      attempts: 2,
      reconcileDeadline: 1_800_000_600_000,
      expiresAt: 1_800_000_000_000,
      route: ['aurpay', 'turinpay'],
      tried: ['aurpay'],
      createdAt: '2026-11-21T10:00:00.000Z',
      updatedAt: '2026-11-21T10:00:05.000Z',
    };
    expect(decodeWithdrawal(stored, PROVIDERS)).toEqual(expected);
  });

  it('leaves out only the budget key and the JSON fields the API view decodes (failure, metadata)', () => {
    const apiOnly = ['budget', 'failure', 'metadata'];
    // `address` and `lightningAddress` are the fields this invoice's hash cannot hold beside `invoice`.
    const written = [...Object.keys(stored), 'address', 'lightningAddress'];
    expect(Object.keys(decodeWithdrawal(stored, PROVIDERS)).sort()).toEqual(written.filter((k) => !apiOnly.includes(k)).sort());
  });

  it('reads what create.lua leaves out as absent: no round yet is round 0, the rest null', () => {
    const w = decodeWithdrawal({ id: 'w2', provider: 'aurpay', status: 'queued', bodyHash: 'h', attempts: '0', address: 'bcrt1q...', reconcileDeadline: '5' }, PROVIDERS);
    expect(w).toMatchObject({ owner: 'default', round: 0, attempts: 0, invoice: null, amountMsat: null, fence: null, expiresAt: null, route: [], tried: [] });
  });

  it('refuses an unknown status or provider, and a number or amount that is not an integer', () => {
    expect(() => decodeWithdrawal({ ...stored, status: 'paid' }, PROVIDERS)).toThrow(new StoredRecordError('stored record has an unknown status "paid"'));
    expect(() => decodeWithdrawal({ ...stored, provider: 'stripe' }, PROVIDERS)).toThrow(new StoredRecordError('stored record has an unknown provider "stripe"'));
    expect(() => decodeWithdrawal({ ...stored, provider: '' }, PROVIDERS)).toThrow(StoredRecordError);
    expect(() => decodeWithdrawal({ ...stored, amountMsat: '1.5' }, PROVIDERS)).toThrow(/malformed amountMsat "1.5"/);
    expect(() => decodeWithdrawal({ ...stored, round: 'x' }, PROVIDERS)).toThrow(/malformed round "x"/);
    expect(() => decodeWithdrawal({ ...stored, expiresAt: '1e3' }, PROVIDERS)).toThrow(/malformed expiresAt/);
  });

  it("builds the API record on the same decoding (amounts back to the stored digits)", () => {
    const r = parseRecord(stored, [], PROVIDERS);
    expect(r).toMatchObject({ status: 'submitting', provider: 'turinpay', amountMsat: '123456789012345678', feeMsat: '0', reconcileDeadline: 1_800_000_600_000 });
    expect(r.failure).toEqual({ code: 'provider_rejected', message: 'no' });
    expect(r.metadata).toEqual({ order: 7 });
    expect(() => parseRecord({ ...stored, status: 'paid' }, [], PROVIDERS)).toThrow(StoredRecordError);
  });
});
