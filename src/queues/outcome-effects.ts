import type { ProviderCapabilities } from '../providers/definition.ts';
import type { SubmitOutcome } from '../providers/types.ts';
import type { Status } from '../withdrawals/status.ts';
import { failureOf } from '../withdrawals/failure.ts';
import type { RecordChange } from '../withdrawals/record-codec.ts';
import type { Withdrawal } from '../withdrawals/withdrawal.ts';

export interface SubmitEffect {
  to: Status;
  cause: string;
  change: RecordChange;
  /** Schedule a settlement check. */
  settle: boolean;
  /**
   * Make that first check at once rather than SETTLE_POLL_MS later: the provider already answered
   * success and only its confirming lookup is missing (it still settles nothing by itself).
   */
  confirmAtOnce?: true;
}

/**
 * Maps one provider outcome to the record change it causes (architecture.md, "Provider call outcome").
 * A synchronous "success" settles only for a provider whose definition says it `settlesOnSubmit`;
 * any other is confirmed by a lookup.
 */
export function submitEffect(provider: Pick<ProviderCapabilities, 'settlesOnSubmit'>, outcome: SubmitOutcome): SubmitEffect {
  switch (outcome.kind) {
    case 'accepted': {
      const change: RecordChange = {};
      if (outcome.providerRef) change.providerRef = outcome.providerRef;
      if (outcome.feeMsat !== null) change.feeMsat = outcome.feeMsat;
      if (outcome.status === 'failed') {
        change.failure = failureOf('provider_failed', null, outcome.raw);
        return { to: 'failed', cause: 'provider answered failed', change, settle: false };
      }
      if (outcome.status === 'succeeded' && provider.settlesOnSubmit) {
        return { to: 'succeeded', cause: 'provider answered paid', change, settle: false };
      }
      if (outcome.status === 'succeeded') return { to: 'submitted', cause: 'provider answered success; confirming it by lookup', change, settle: true, confirmAtOnce: true };
      return { to: 'submitted', cause: 'provider accepted; pending', change, settle: true };
    }
    case 'rejected':
      return {
        to: 'failed',
        cause: 'provider refused',
        change: { failure: failureOf('provider_rejected', outcome.message, outcome.raw) },
        settle: false,
      };
    case 'not_sent':
      return { to: 'queued', cause: `not sent: ${outcome.reason}`, change: {}, settle: false };
    case 'unknown':
      return {
        to: 'unknown',
        cause: `outcome unknown: ${outcome.reason}`,
        change: { failure: failureOf('outcome_unknown', outcome.reason, outcome.raw ?? null) },
        settle: true,
      };
  }
}

/**
 * An on-chain withdrawal carries no amount until the provider says what it moved: record that, once,
 * from the first answer that says it (interface.md: on-chain withdrawals record the amount moved).
 */
export function movedAmountUpdate(rec: Pick<Withdrawal, 'address' | 'amountMsat'>, outcome: { amountMsat?: bigint | null }): RecordChange {
  if (rec.address === null || rec.amountMsat !== null || outcome.amountMsat === undefined || outcome.amountMsat === null) return {};
  return { amountMsat: outcome.amountMsat };
}
