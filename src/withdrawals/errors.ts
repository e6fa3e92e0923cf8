import type { z } from 'zod';

/**
 * Every error code the API answers with (interface.md): the contract's codes and no others. A body
 * too large (413) or of the wrong type (415) is `invalid_request`; anything unexpected `unavailable`.
 */
export const ERROR_CODES = [
  'invalid_request',
  'invalid_invoice',
  'invoice_expired',
  'network_mismatch',
  'amount_required',
  'amount_mismatch',
  'invalid_address',
  'provider_disabled',
  'unsupported_destination',
  'unauthorized',
  'forbidden',
  'not_found',
  'idempotency_conflict',
  'invoice_already_used',
  'invalid_state',
  'limit_exceeded',
  'rate_limited',
  'unavailable',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ErrorIssue {
  path: string;
  message: string;
}

export interface ApiError {
  code: ErrorCode;
  message: string;
  issues: ErrorIssue[];
}

export function apiError(code: ErrorCode, message: string, issues: ErrorIssue[] = []): ApiError {
  return { code, message, issues };
}

/** zod issues as `{ path, message }` pairs naming the field. */
export function zodIssues(error: z.ZodError): ErrorIssue[] {
  return error.issues.map((i) => ({ path: i.path.map(String).join('.') || '(body)', message: i.message }));
}

export function invalidRequest(error: z.ZodError): ApiError {
  const issues = zodIssues(error);
  const first = issues[0];
  const summary = first ? `${first.path}: ${first.message}` : 'the body does not match the schema';
  return apiError('invalid_request', `invalid request: ${summary}${issues.length > 1 ? ` (and ${issues.length - 1} more)` : ''}`, issues);
}
