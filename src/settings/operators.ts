import { approvalsNeeded } from '../callers.ts';
import { configError, type Config } from '../config.ts';

/** Distinct operator names (OPERATOR_TOKENS names are lower-cased when parsed: `Ana` and `ana` are one). */
export function operatorCount(config: Config): number {
  return new Set(config.OPERATOR_TOKENS.map((t) => t.name)).size;
}

/**
 * For a process that serves the API (`start`, `api`) with operators: refuses, naming the variables,
 * an APPROVALS_REQUIRED its operators can never meet. With APPROVAL_THRESHOLD_MSAT set, a held
 * withdrawal needs APPROVALS_REQUIRED distinct operators; with ALLOW_ONCHAIN=true, an on-chain one
 * needs approvalsNeeded(..., true) operators besides the one who created it. A process without
 * operators (a `worker`, the library, an API serving producers alone) is not checked.
 */
export function checkOperatorQuorum(config: Config): void {
  const operators = operatorCount(config);
  if (operators === 0) return;
  const policy = { approvalsRequired: config.APPROVALS_REQUIRED };
  const named = `OPERATOR_TOKENS names ${operators} distinct operator${operators === 1 ? '' : 's'} (names compared lower-cased)`;
  if (config.APPROVAL_THRESHOLD_MSAT !== null && operators < approvalsNeeded(policy, false)) {
    throw configError([
      {
        variable: 'APPROVALS_REQUIRED, OPERATOR_TOKENS',
        message: `a withdrawal held by APPROVAL_THRESHOLD_MSAT needs ${approvalsNeeded(policy, false)} distinct operators' approvals, but ${named}`,
      },
    ]);
  }
  const onchain = approvalsNeeded(policy, true) + 1;
  if (config.ALLOW_ONCHAIN && operators < onchain) {
    throw configError([
      {
        variable: 'ALLOW_ONCHAIN, APPROVALS_REQUIRED, OPERATOR_TOKENS',
        message: `an on-chain withdrawal needs ${onchain - 1} approvals by operators other than the one who created it (at least 2, whatever APPROVALS_REQUIRED says), so ${onchain} operators, but ${named}`,
      },
    ]);
  }
}
