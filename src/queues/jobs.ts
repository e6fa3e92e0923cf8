import { z } from 'zod';

/** Jobs carry only the withdrawal id; the record in Redis is the truth. */
export const submitJobSchema = z.object({ id: z.string().min(1) });
export type SubmitJobData = z.infer<typeof submitJobSchema>;

export const settleJobSchema = z.object({ id: z.string().min(1), checks: z.number().int().min(0).default(0) });
export type SettleJobData = z.infer<typeof settleJobSchema>;
