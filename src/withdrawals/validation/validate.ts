import { bodyHash } from '../body-hash.ts';
import { checkWithdrawal, knownProviders, type CheckContext, type CheckedWithdrawal, type CheckResult } from '../checks.ts';
import { apiError, invalidRequest, type ApiError } from '../errors.ts';
import { withdrawalRequestSchemaFor, type WithdrawalRequest } from '../request.ts';
import { AUTO, routeWithdrawal } from '../routing.ts';
import type { ProviderName } from '../types.ts';

/**
 * Everything accepting a withdrawal decides without Redis: the body's shape, the invoice or address
 * rules (signature, network, expiry, amounts) and the idempotency hash. Pure CPU, and plain data in
 * and out, so batches run it in validation threads.
 */
export type Validation =
  | {
      ok: true;
      req: WithdrawalRequest;
      value: CheckedWithdrawal;
      hash: string;
      /** `provider: "auto"`: the providers that can pay it, in the configured order; else null. */
      route: ProviderName[] | null;
    }
  | { ok: false; status: 400; error: ApiError };

export function validateWithdrawal(body: unknown, ctx: CheckContext): Validation {
  const shape = withdrawalRequestSchemaFor(knownProviders(ctx).map((p) => p.name)).safeParse(body);
  if (!shape.success) return { ok: false, status: 400, error: invalidRequest(shape.error) };
  const req = shape.data;
  let checked: CheckResult;
  let route: ProviderName[] | null = null;
  if (req.provider === AUTO) {
    const routed = routeWithdrawal(req, ctx);
    if (routed.ok) ({ checked, route } = routed);
    else checked = routed;
  } else checked = checkWithdrawal({ ...req, provider: req.provider }, ctx);
  if (!checked.ok) {
    return { ok: false, status: 400, error: apiError(checked.code, checked.message, [{ path: checked.field, message: checked.message }]) };
  }
  return { ok: true, req, value: checked.value, hash: bodyHash(req), route };
}
