import { faultMix, type FaultPlan } from '../providers/sandbox/index.ts';

/**
 * The demo's mix of provider behaviour: mostly clean payments, plus every fault that a payout
 * engine must survive without paying twice (each of them settles by reconciliation).
 */
export function demoFaults(): FaultPlan {
  return faultMix({
    none: 55,
    pending_then_success: 15,
    pending_then_failure: 4,
    refuse: 4,
    error_after_payment: 5,
    hang_after_payment: 2,
    rate_limit: 5,
    malformed_body: 4,
    reset_after_payment: 3,
    rate_limit_no_retry_after: 3,
  });
}
