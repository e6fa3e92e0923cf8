import { z } from 'zod';

/** The most withdrawals one submit job carries (a part of a batch: src/withdrawals/batch-parts.ts). */
export const MAX_PART_ITEMS = 64;

/**
 * Jobs carry only withdrawal ids; the record in Redis is the truth. A submit job pays one
 * withdrawal (`id`), or the withdrawals of one part of a batch (`ids`), one after the other, each
 * fenced on its own exactly as if it had its own job.
 */
export const submitJobSchema = z.union([
  z.object({ id: z.string().min(1) }),
  z.object({ ids: z.array(z.string().min(1)).min(1).max(MAX_PART_ITEMS) }),
]);
export type SubmitJobData = z.infer<typeof submitJobSchema>;

export const settleJobSchema = z.object({ id: z.string().min(1), checks: z.number().int().min(0).default(0) });
export type SettleJobData = z.infer<typeof settleJobSchema>;
