import { bodyHash } from '../body-hash.ts';
import { checkWithdrawal, type CheckContext, type CheckedWithdrawal } from '../checks.ts';
import { apiError, invalidRequest, type ApiError } from '../errors.ts';
import { withdrawalRequestSchema, type WithdrawalRequest } from '../request.ts';

/**
 * Everything accepting a withdrawal decides without Redis: the body's shape, the invoice or address
 * rules (signature, network, expiry, amounts) and the idempotency hash. Pure CPU, and plain data in
 * and out, so batches run it in validation threads.
 */
export type Validation =
  | { ok: true; req: WithdrawalRequest; value: CheckedWithdrawal; hash: string }
  | { ok: false; status: 400; error: ApiError };

export function validateWithdrawal(body: unknown, ctx: CheckContext): Validation {
  const shape = withdrawalRequestSchema.safeParse(body);
  if (!shape.success) return { ok: false, status: 400, error: invalidRequest(shape.error) };
  const req = shape.data;
  const checked = checkWithdrawal(req, ctx);
  if (!checked.ok) {
    return { ok: false, status: 400, error: apiError(checked.code, checked.message, [{ path: checked.field, message: checked.message }]) };
  }
  return { ok: true, req, value: checked.value, hash: bodyHash(req) };
}
