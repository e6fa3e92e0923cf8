import type { z } from 'zod';

export type JsonSchema = Record<string, unknown>;

/**
 * What a zod schema's refinements say that JSON Schema cannot infer (zod leaves `.refine` out),
 * keyed by the very schema objects the routes validate with, so they stay attached to them.
 */
const REFINEMENTS = new WeakMap<z.core.$ZodType, (json: JsonSchema) => void>();

export function refineJsonSchema(schema: z.core.$ZodType, edit: (json: JsonSchema) => void): void {
  REFINEMENTS.set(schema, edit);
}

/** `override` of z.toJSONSchema: applies the refinements, and tidies what zod writes. */
export function override(ctx: { zodSchema: z.core.$ZodType; jsonSchema: JsonSchema }): void {
  REFINEMENTS.get(ctx.zodSchema)?.(ctx.jsonSchema);
  // zod adds its own date-time regex next to `format`; the format says the same, readably.
  if (ctx.jsonSchema.format === 'date-time') delete ctx.jsonSchema.pattern;
}
