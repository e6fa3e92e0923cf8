import type { SubmitOutcome } from '../providers/types.ts';
import type { ProviderName } from '../withdrawals/types.ts';
import type { Withdrawal } from '../withdrawals/withdrawal.ts';
import type { RecordChange } from '../withdrawals/record-codec.ts';

export interface FailoverTarget {
  to: ProviderName;
  /** Why the provider that was tried proved it sent nothing. */
  reason: string;
}

/**
 * Where a withdrawal routed `auto` goes after its provider's answer, or null to stay: only when the
 * answer proves nothing was sent (an explicit refusal such as insufficient balance; credentials
 * refused; not sent on the last try), never after an unknown outcome or an acceptance, and only to
 * a provider of its route not tried yet and enabled here. Pure: the withdrawal and the outcome.
 */
export function failoverTarget(
  rec: Pick<Withdrawal, 'provider' | 'route' | 'tried'>,
  outcome: SubmitOutcome,
  lastTry: boolean,
  enabled: readonly ProviderName[],
  /** The provider's definition says refused credentials may send the withdrawal elsewhere. */
  authErrorFailsOver = false,
): FailoverTarget | null {
  const { route } = rec;
  if (route.length === 0) return null;
  let reason: string | null = null;
  if (outcome.kind === 'rejected') reason = `refused: ${outcome.message}`;
  else if (outcome.kind === 'not_sent' && outcome.authError) {
    // Refused credentials pause the provider; they say nothing of this withdrawal (a WAF rule one
    // producer's description tripped), so it waits for the provider unless its definition says otherwise.
    if (!authErrorFailsOver) return null;
    reason = `credentials refused: ${outcome.reason}`;
  }
  else if (outcome.kind === 'not_sent' && lastTry) reason = `not sent on the last try: ${outcome.reason}`;
  if (reason === null) return null;
  const tried = new Set([...rec.tried, rec.provider]);
  const to = route.find((p) => !tried.has(p) && enabled.includes(p));
  return to ? { to, reason } : null;
}

/** The record's fields after a failover: the new provider, and the ones tried so far. */
export function failoverUpdates(rec: Pick<Withdrawal, 'provider' | 'tried'>, to: ProviderName): RecordChange {
  const tried = new Set([...rec.tried, rec.provider]);
  return { provider: to, tried: [...tried], failure: null };
}
