import { DEFAULT_PRODUCER } from '../callers.ts';
import { STATUSES, type Status } from './status.ts';
import type { Failure, HistoryEntry, WithdrawalRecord } from './types.ts';
import { PROVIDERS, type ProviderName } from './types.ts';

function orNull(v: string | undefined): string | null {
  return v === undefined || v === '' ? null : v;
}

function json<T>(v: string | undefined): T | null {
  return v === undefined || v === '' ? null : (JSON.parse(v) as T);
}

function asStatus(v: string | undefined): Status {
  const s = STATUSES.find((x) => x === v);
  if (!s) throw new Error(`stored record has an unknown status ${JSON.stringify(v)}`);
  return s;
}

function asProvider(v: string | undefined): ProviderName {
  const p = PROVIDERS.find((x) => x === v);
  if (!p) throw new Error(`stored record has an unknown provider ${JSON.stringify(v)}`);
  return p;
}

/** Turns the Redis hash and history list of a withdrawal into the record the API returns. */
export function parseRecord(f: Record<string, string>, history: string[]): WithdrawalRecord {
  return {
    id: f.id ?? '',
    owner: f.owner || DEFAULT_PRODUCER,
    provider: asProvider(f.provider),
    status: asStatus(f.status),
    invoice: orNull(f.invoice),
    address: orNull(f.address),
    paymentHash: orNull(f.paymentHash),
    amountMsat: orNull(f.amountMsat),
    feeMsat: orNull(f.feeMsat),
    providerRef: orNull(f.providerRef),
    attempts: Number(f.attempts ?? 0),
    batchId: orNull(f.batchId),
    failure: json<Failure>(f.failure),
    description: orNull(f.description),
    metadata: json<Record<string, unknown>>(f.metadata),
    createdAt: f.createdAt ?? '',
    updatedAt: f.updatedAt ?? '',
    reconcileDeadline: Number(f.reconcileDeadline ?? 0),
    history: history.map((h) => JSON.parse(h) as HistoryEntry),
  };
}

/** The record as the API and events show it (internal fields left out). */
export function publicRecord(r: WithdrawalRecord): Omit<WithdrawalRecord, 'reconcileDeadline'> {
  const { reconcileDeadline: _omit, ...rest } = r;
  return rest;
}
