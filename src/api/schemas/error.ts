import { z } from 'zod';
import { ERROR_CODES } from '../../withdrawals/errors.ts';

export const errorCodeSchema = z.enum(ERROR_CODES);

export const errorIssueSchema = z.strictObject({
  path: z.string().describe('the field, dot-separated (`(body)` for the whole body)'),
  message: z.string(),
});

export const apiErrorSchema = z.strictObject({
  code: errorCodeSchema,
  message: z.string().describe('for people; match on `code`'),
  issues: z.array(errorIssueSchema).describe('one entry per invalid field (empty when the error is not about fields)'),
});

/** Every error answer of the API: `{ "error": { "code", "message", "issues" } }`. */
export const errorBodySchema = z.strictObject({ error: apiErrorSchema });
