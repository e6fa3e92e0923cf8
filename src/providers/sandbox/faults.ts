/** Fault catalogue, fault plans, and the per-provider memory of which invoice got which fault. */
import { createHash } from 'node:crypto';
import type { SandboxProvider } from './ledger.ts';

export const FAULTS = [
  'none',
  'pending_then_success',
  'pending_then_failure',
  'refuse',
  'error_after_payment',
  'hang_after_payment',
  'rate_limit',
  'rate_limit_no_retry_after',
  'malformed_body',
  'auth_error',
  'reset_after_payment',
  'refuse_after_payment',
  'already_paid',
] as const;

export type Fault = (typeof FAULTS)[number];

export interface FaultContext {
  provider: SandboxProvider;
  paymentHash: string;
  invoice: string;
}

export interface FaultPlan {
  pick(ctx: FaultContext): Fault;
}

export function fixedFault(fault: Fault): FaultPlan {
  return { pick: () => fault };
}

/**
 * Chooses a fault with the given relative weights, deterministically from the payment hash:
 * the same invoice always gets the same fault, whatever the order of submits.
 */
export function faultMix(weights: Partial<Record<Fault, number>>): FaultPlan {
  const entries = FAULTS.map((f) => [f, weights[f] ?? 0] as const).filter(([, w]) => w > 0);
  for (const [f, w] of entries) {
    if (!Number.isFinite(w)) throw new RangeError(`fault weight for ${f} is not finite`);
  }
  const total = entries.reduce((sum, [, w]) => sum + w, 0);
  if (entries.length === 0 || total <= 0) throw new RangeError('faultMix needs at least one positive weight');
  return {
    pick({ paymentHash }) {
      const digest = createHash('sha256').update(`sandbox-fault:${paymentHash.toLowerCase()}`).digest();
      const point = (digest.readUInt32BE(0) / 2 ** 32) * total;
      let acc = 0;
      for (const [fault, weight] of entries) {
        acc += weight;
        if (point < acc) return fault;
      }
      const last = entries[entries.length - 1];
      return last ? last[0] : 'none';
    },
  };
}

/** Remembers, per payment hash, the fault decided on its first submit. */
export class FaultBook {
  #plan: FaultPlan;
  readonly #decided = new Map<string, Fault>();
  readonly #rateLimited = new Set<string>();

  constructor(plan: FaultPlan) {
    this.#plan = plan;
  }

  /** Replaces the plan and forgets earlier decisions, so the new plan applies to every later submit. */
  setPlan(plan: FaultPlan): void {
    this.#plan = plan;
    this.#decided.clear();
    this.#rateLimited.clear();
  }

  /**
   * The fault for this submit. Rate-limit faults answer 429 on the first submit of a hash only;
   * later submits of that hash behave as 'none'.
   */
  forSubmit(ctx: FaultContext): Fault {
    const key = ctx.paymentHash.toLowerCase();
    let fault = this.#decided.get(key);
    if (fault === undefined) {
      fault = this.#plan.pick(ctx);
      this.#decided.set(key, fault);
    }
    if (fault === 'rate_limit' || fault === 'rate_limit_no_retry_after') {
      if (this.#rateLimited.has(key)) return 'none';
      this.#rateLimited.add(key);
    }
    return fault;
  }
}
