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

/** A whole number within bounds, with its default. */
export const int = (def: number, min: number, max: number) =>
  z.coerce
    .number({ error: `must be a whole number from ${min} to ${max}` })
    .int(`must be a whole number from ${min} to ${max}`)
    .min(min, `must be at least ${min}`)
    .max(max, `must be at most ${max}`)
    .default(def);

export const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });

/** A provider's variables: an object of named variables (its schema's shape is merged into the configuration's). */
export type VariablesSchema = z.ZodObject;
