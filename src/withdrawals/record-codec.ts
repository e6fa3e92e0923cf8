import { DEFAULT_PRODUCER } from '../callers.ts';
import { STATUSES, type Status } from './status.ts';
import { unpackInvoice } from './stored-invoice.ts';
import type { Failure, HistoryEntry, WithdrawalRecord } from './types.ts';
import type { ProviderName } from './types.ts';
import type { Withdrawal } from './withdrawal.ts';

/** A stored hash that does not decode: a bug or a hand edit, never something to guess around. */
export class StoredRecordError extends Error {
  override name = 'StoredRecordError';
}

/** A stored providerRef that stands for the record's payment hash (view.lua's REF_IS_HASH). */
export const REF_IS_HASH = '=';

function orNull(v: string | undefined): string | null {
  return v === undefined || v === '' ? null : v;
}

function json<T>(v: string | undefined): T | null {
  return v === undefined || v === '' ? null : (JSON.parse(v) as T);
}

function asStatus(v: string | undefined): Status {
  const s = STATUSES.find((x) => x === v);
  if (!s) throw new StoredRecordError(`stored record has an unknown status ${JSON.stringify(v)}`);
  return s;
}

/**
 * A provider name as stored (a record's, a batch's or an identity's); one not among `providers` (the
 * runtime's definitions) is an error.
 */
export function asProvider(v: string | undefined, providers: readonly ProviderName[]): ProviderName {
  const p = providers.find((x) => x === v);
  if (!p) throw new StoredRecordError(`stored record has an unknown provider ${JSON.stringify(v)}`);
  return p;
}

/**
 * A list of providers as a record stores it (`route`, `tried`: comma-separated). Names it does not
 * know are left out, as they always were: the list only ever narrows where failover may go.
 */
function providerList(raw: string | undefined, providers: readonly ProviderName[]): ProviderName[] {
  if (!raw) return [];
  return raw.split(',').filter((name) => providers.includes(name));
}

const INTEGER = /^-?\d+$/;

/** Millisatoshi as the scripts write them (decimal digits, from a bigint or HINCRBY). */
function amount(f: Record<string, string>, name: string): bigint | null {
  const v = orNull(f[name]);
  if (v === null) return null;
  if (!INTEGER.test(v)) throw new StoredRecordError(`stored record ${f.id ?? ''} has a malformed ${name} ${JSON.stringify(v)}`);
  return BigInt(v);
}

/** A count or a Unix ms time: an integer well within a double's exact range. */
function integer(f: Record<string, string>, name: string): number | null {
  const v = orNull(f[name]);
  if (v === null) return null;
  const n = Number(v);
  if (!INTEGER.test(v) || !Number.isSafeInteger(n)) throw new StoredRecordError(`stored record ${f.id ?? ''} has a malformed ${name} ${JSON.stringify(v)}`);
  return n;
}

/**
 * The Redis hash of a withdrawal, decoded and checked: an unknown status or provider, or a number
 * that is not one, throws `StoredRecordError`. Missing optional fields become null (a `round` that
 * was never written is 0, as create.lua leaves it out until the first resubmit).
 */
export function decodeWithdrawal(f: Record<string, string>, providers: readonly ProviderName[]): Withdrawal {
  return {
    id: f.id ?? '',
    owner: f.owner || DEFAULT_PRODUCER,
    provider: asProvider(f.provider, providers),
    status: asStatus(f.status),
    bodyHash: orNull(f.bodyHash),
    invoice: f.invoice ? unpackInvoice(f.invoice) : null,
    lightningAddress: orNull(f.lightningAddress),
    address: orNull(f.address),
    paymentHash: orNull(f.paymentHash),
    description: orNull(f.description),
    amountMsat: amount(f, 'amountMsat'),
    sendAmountMsat: amount(f, 'sendAmountMsat'),
    feeMsat: amount(f, 'feeMsat'),
    // transition.lua stores a reference that is the payment hash as REF_IS_HASH.
    providerRef: f.providerRef === REF_IS_HASH ? orNull(f.paymentHash) : orNull(f.providerRef),
    batchId: orNull(f.batchId),
    fence: orNull(f.fence),
    job: orNull(f.job),
    round: integer(f, 'round') ?? 0,
    attempts: integer(f, 'attempts') ?? 0,
    reconcileDeadline: integer(f, 'reconcileDeadline'),
    expiresAt: integer(f, 'expiresAt'),
    route: providerList(f.route, providers),
    tried: providerList(f.tried, providers),
    createdAt: f.createdAt ?? '',
    updatedAt: f.updatedAt ?? '',
  };
}

/** Turns the Redis hash and history list of a withdrawal into the record the API returns. */
export function parseRecord(f: Record<string, string>, history: string[], providers: readonly ProviderName[]): WithdrawalRecord {
  const w = decodeWithdrawal(f, providers);
  return {
    id: w.id,
    owner: w.owner,
    provider: w.provider,
    status: w.status,
    invoice: w.invoice,
    lightningAddress: w.lightningAddress ?? null,
    address: w.address,
    paymentHash: w.paymentHash,
    amountMsat: w.amountMsat?.toString() ?? null,
    feeMsat: w.feeMsat?.toString() ?? null,
    providerRef: w.providerRef,
    attempts: w.attempts,
    batchId: w.batchId,
    failure: json<Failure>(f.failure),
    description: w.description,
    metadata: json<Record<string, unknown>>(f.metadata),
    createdAt: w.createdAt,
    updatedAt: w.updatedAt,
    reconcileDeadline: w.reconcileDeadline ?? 0,
    history: history.map((h) => JSON.parse(h) as HistoryEntry),
  };
}

/** The record as the API and events show it (internal fields left out). */
export function publicRecord(r: WithdrawalRecord): Omit<WithdrawalRecord, 'reconcileDeadline'> {
  const { reconcileDeadline: _omit, ...rest } = r;
  return rest;
}

/** A record as a listing shows it: the public record without its history. */
export function listedRecord(r: WithdrawalRecord): Omit<WithdrawalRecord, 'reconcileDeadline' | 'history'> {
  const { history: _history, ...view } = publicRecord(r);
  return view;
}

/**
 * The fields a transition changes, typed: amounts as bigint, the failure as a value, providers as a
 * list. `null` removes the field. Only the codec turns it into the strings the scripts write.
 */
export interface RecordChange {
  providerRef?: string | null;
  feeMsat?: bigint | null;
  /** What an on-chain withdrawal moved, learned from the provider. */
  amountMsat?: bigint;
  failure?: Failure | null;
  /** Failover: the provider it moves to, and the ones tried so far. */
  provider?: ProviderName;
  tried?: readonly ProviderName[];
  /** Unix ms after which reconciliation gives up. */
  reconcileDeadline?: number | null;
}

/** A change as the transition script takes it: a flat object of strings, null for a removed field. */
export function encodeChange(c: RecordChange): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  if (c.providerRef !== undefined) out.providerRef = c.providerRef;
  if (c.feeMsat !== undefined) out.feeMsat = c.feeMsat === null ? null : c.feeMsat.toString();
  if (c.amountMsat !== undefined) out.amountMsat = c.amountMsat.toString();
  if (c.failure !== undefined) out.failure = c.failure === null ? null : JSON.stringify(c.failure);
  if (c.provider !== undefined) out.provider = c.provider;
  if (c.tried !== undefined) out.tried = c.tried.join(',');
  if (c.reconcileDeadline !== undefined) out.reconcileDeadline = c.reconcileDeadline === null ? null : String(c.reconcileDeadline);
  return out;
}
