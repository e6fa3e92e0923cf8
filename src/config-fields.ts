/**
 * The kinds of environment variable the service reads, as zod schemas: config.ts builds its schema
 * from them, and so does each provider definition (src/providers/<name>/definition.ts) for its own
 * variables, which the configuration merges in. Nothing here reads the environment.
 */
import { z } from 'zod';

/** A secret or other optional string: null when unset or blank, else trimmed. */
export const optionalSecret = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? null : v.trim()));

/** A whole number within bounds; `what` names it in the refusal ("a whole number", "a port number"). */
const bounded = (min: number, max: number, what: string) =>
  z.coerce
    .number({ error: `must be ${what} from ${min} to ${max}` })
    .int(`must be ${what} from ${min} to ${max}`)
    .min(min, `must be at least ${min}`)
    .max(max, `must be at most ${max}`);

/** A whole number within bounds, with its default. */
export const int = (def: number, min: number, max: number) => bounded(min, max, 'a whole number').default(def);

/** A whole number within bounds, or null when unset. */
export const optionalInt = (min: number, max: number, what = 'a whole number') =>
  bounded(min, max, what)
    .optional()
    .transform((v) => v ?? null);

export const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });

/** A provider's variables: an object of named variables (its schema's shape is merged into the configuration's). */
export type VariablesSchema = z.ZodObject;
