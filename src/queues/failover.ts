import type { SubmitOutcome } from '../providers/types.ts';
import { parseRoute } from '../withdrawals/routing.ts';
import type { ProviderName } from '../withdrawals/types.ts';

export interface FailoverTarget {
  to: ProviderName;
  /** Why the provider that was tried proved it sent nothing. */
  reason: string;
}

/**
 * Where a withdrawal routed `auto` goes after its provider's answer, or null to stay: only when the
 * answer proves nothing was sent (an explicit refusal such as insufficient balance; credentials
 * refused; not sent on the last try), never after an unknown outcome or an acceptance, and only to
 * a provider of its route not tried yet and enabled here. Pure: the record's fields and the outcome.
 */
export function failoverTarget(
  rec: Record<string, string>,
  outcome: SubmitOutcome,
  lastTry: boolean,
  enabled: readonly ProviderName[],
): FailoverTarget | null {
  const route = parseRoute(rec.route);
  if (route.length === 0) return null;
  let reason: string | null = null;
  if (outcome.kind === 'rejected') reason = `refused: ${outcome.message}`;
  else if (outcome.kind === 'not_sent' && outcome.authError) reason = `credentials refused: ${outcome.reason}`;
  else if (outcome.kind === 'not_sent' && lastTry) reason = `not sent on the last try: ${outcome.reason}`;
  if (reason === null) return null;
  const tried = new Set([...(rec.tried ?? '').split(','), rec.provider ?? '']);
  const to = route.find((p) => !tried.has(p) && enabled.includes(p));
  return to ? { to, reason } : null;
}

/** The record's fields after a failover: the new provider, and the ones tried so far. */
export function failoverUpdates(rec: Record<string, string>, to: ProviderName): Record<string, string | null> {
  const tried = [...new Set([...(rec.tried ?? '').split(',').filter((p) => p.length > 0), rec.provider ?? ''])].filter((p) => p.length > 0);
  return { provider: to, tried: tried.join(','), failure: null };
}
