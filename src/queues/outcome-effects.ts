import type { ProviderCapabilities } from '../providers/definition.ts';
import type { SubmitOutcome } from '../providers/types.ts';
import type { Status } from '../withdrawals/status.ts';
import type { Failure } from '../withdrawals/types.ts';
import type { Withdrawal } from '../withdrawals/withdrawal.ts';

export interface SubmitEffect {
  to: Status;
  cause: string;
  updates: Record<string, string | null>;
  /** Schedule a settlement check. */
  settle: boolean;
}

function failureJson(f: Failure): string {
  return JSON.stringify(f);
}

/**
 * Maps one provider outcome to the record change it causes (architecture.md, "Provider call outcome").
 * A synchronous "success" settles only for a provider whose definition says it `settlesOnSubmit`;
 * any other is confirmed by a lookup.
 */
export function submitEffect(provider: Pick<ProviderCapabilities, 'settlesOnSubmit'>, outcome: SubmitOutcome): SubmitEffect {
  switch (outcome.kind) {
    case 'accepted': {
      const updates: Record<string, string | null> = {};
      if (outcome.providerRef) updates.providerRef = outcome.providerRef;
      if (outcome.feeMsat !== null) updates.feeMsat = outcome.feeMsat.toString();
      if (outcome.status === 'failed') {
        updates.failure = failureJson({ code: 'provider_failed', message: 'the provider reported the payment failed', provider: outcome.raw });
        return { to: 'failed', cause: 'provider answered failed', updates, settle: false };
      }
      if (outcome.status === 'succeeded' && provider.settlesOnSubmit) {
        return { to: 'succeeded', cause: 'provider answered paid', updates, settle: false };
      }
      const cause = outcome.status === 'succeeded' ? 'provider answered success; confirming it by lookup' : 'provider accepted; pending';
      return { to: 'submitted', cause, updates, settle: true };
    }
    case 'rejected':
      return {
        to: 'failed',
        cause: 'provider refused',
        updates: { failure: failureJson({ code: 'provider_rejected', message: outcome.message, provider: outcome.raw }) },
        settle: false,
      };
    case 'not_sent':
      return { to: 'queued', cause: `not sent: ${outcome.reason}`, updates: {}, settle: false };
    case 'unknown':
      return {
        to: 'unknown',
        cause: `outcome unknown: ${outcome.reason}`,
        updates: { failure: failureJson({ code: 'outcome_unknown', message: outcome.reason, provider: outcome.raw ?? null }) },
        settle: true,
      };
  }
}

/**
 * An on-chain withdrawal carries no amount until the provider says what it moved: record that, once,
 * from the first answer that says it (interface.md: on-chain withdrawals record the amount moved).
 */
export function movedAmountUpdate(rec: Pick<Withdrawal, 'address' | 'amountMsat'>, outcome: { amountMsat?: bigint | null }): Record<string, string> {
  if (rec.address === null || rec.amountMsat !== null || outcome.amountMsat === undefined || outcome.amountMsat === null) return {};
  return { amountMsat: outcome.amountMsat.toString() };
}
