import type { Keys } from '../keys.ts';
import type { RedisClient } from '../redis.ts';
import { unpackInvoice } from '../withdrawals/stored-invoice.ts';

/**
 * An event's record, whole again. A withdrawal's event leaves out the fields its record gets once and
 * never changes after (view.lua's FILLED: the invoice and its hash, the description, the metadata) and
 * names them in the entry's `fill`; they are read back from the record, which still holds exactly what
 * it held at the event. Everything else the event carries is the record as it was then.
 */

/** The record's view in the order GET shows it (view.lua's VIEW). */
export const VIEW_ORDER = [
  'id', 'provider', 'status', 'invoice', 'lightningAddress', 'address', 'paymentHash', 'amountMsat', 'feeMsat', 'providerRef',
  'attempts', 'batchId', 'failure', 'description', 'metadata', 'createdAt', 'updatedAt', 'owner',
] as const;

/** Fields stored as JSON text in the record hash. */
const JSON_FIELDS = new Set(['metadata', 'failure']);
/** view.lua's FILLED, in its order. */
export const FILLABLE: ReadonlySet<string> = new Set(['invoice', 'paymentHash', 'description', 'metadata']);

/** A stream entry's fields by name. */
export function fieldsOf(flat: readonly string[]): Map<string, string> {
  const f = new Map<string, string>();
  for (let i = 0; i + 1 < flat.length; i += 2) f.set(flat[i] ?? '', flat[i + 1] ?? '');
  return f;
}

/** The fields an entry's `fill` names (only those view.lua leaves out). */
export function fillOf(fill: string | undefined): string[] {
  return fill ? fill.split(',').filter((name) => FILLABLE.has(name)) : [];
}

function parseJson(text: string | null | undefined): unknown {
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** `data` with the filled fields added from the record's values, in the view's order. */
export function withFilled(data: unknown, names: readonly string[], values: readonly (string | null)[]): unknown {
  if (names.length === 0 || !data || typeof data !== 'object') return data;
  const merged: Record<string, unknown> = { ...(data as Record<string, unknown>) };
  names.forEach((name, i) => {
    const v = values[i];
    merged[name] = JSON_FIELDS.has(name) ? parseJson(v) : name === 'invoice' && v ? unpackInvoice(v) : (v ?? null);
  });
  const ordered: Record<string, unknown> = {};
  for (const name of VIEW_ORDER) if (name in merged) ordered[name] = merged[name];
  for (const [name, v] of Object.entries(merged)) if (!(name in ordered)) ordered[name] = v;
  return ordered;
}

export interface Fillable {
  /** The withdrawal's id (the record to read). */
  id: string;
  names: string[];
  data: unknown;
}

/** Fills every event that needs it, reading each record once in one round trip. */
export async function fillAll(redis: RedisClient, keys: Keys, items: readonly Fillable[]): Promise<unknown[]> {
  const needy = items.filter((x) => x.names.length > 0);
  if (needy.length === 0) return items.map((x) => x.data);
  const pipeline = redis.pipeline();
  for (const x of needy) pipeline.hmget(keys.record(x.id), ...x.names);
  const replies = (await pipeline.exec()) ?? [];
  let k = 0;
  return items.map((x) => {
    if (x.names.length === 0) return x.data;
    const [err, values] = replies[k++] ?? [null, []];
    return withFilled(x.data, x.names, err ? x.names.map(() => null) : (values as (string | null)[]));
  });
}
