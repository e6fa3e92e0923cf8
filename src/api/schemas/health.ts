import { z } from 'zod';
import { apiErrorSchema } from './error.ts';

export const healthSchema = z.strictObject({ ok: z.literal(true) });

export const readySchema = z.strictObject({
  ok: z.literal(true),
  redis: z
    .strictObject({
      primary: z.string().nullable().describe('`host:port` of the Redis primary this process writes to (behind Sentinel or Cluster: the one it follows now); null while not connected'),
    })
    .optional(),
});

export const notReadySchema = z.strictObject({
  ok: z.literal(false),
  problems: z.array(z.string()).describe('e.g. "redis unreachable", "workers not running"'),
  /** Code `unavailable`, the problems in the message: the error body every other error answer carries. */
  error: apiErrorSchema,
});
