/**
 * Who is asking, and what each role may touch (interface.md, "Who may do what"). Producers own what
 * they create and see nothing else; operators see and act on everything.
 */
export type Role = 'producer' | 'operator';

export interface Caller {
  /** The token's name: owner of what it creates, actor of what it does. */
  name: string;
  role: Role;
}

/** What a producer's or operator's name may hold (the `name=` of a token). */
export const PRODUCER_NAME = /^[A-Za-z0-9._:-]{1,64}$/;

/** The producer a record, batch, event or endpoint belongs to when nothing else says (older records too). */
export const DEFAULT_PRODUCER = 'default';

/** The library and `withdrawals batch` run with the Redis connection's trust, as a named producer. */
export function producer(name: string = DEFAULT_PRODUCER): Caller {
  return { name, role: 'producer' };
}

/** An operator reads and acts on everything; a producer only on what it owns. */
export function mayAccess(caller: Caller, owner: string | null | undefined): boolean {
  return caller.role === 'operator' || caller.name === (owner || DEFAULT_PRODUCER);
}

/**
 * Distinct operators' approvals one held withdrawal needs: APPROVALS_REQUIRED; an on-chain one, which
 * an operator creates (whose own approval never counts), at least two whatever APPROVALS_REQUIRED says.
 */
export function approvalsNeeded(policy: { approvalsRequired: number }, onchain: boolean): number {
  return onchain ? Math.max(2, policy.approvalsRequired) : policy.approvalsRequired;
}
