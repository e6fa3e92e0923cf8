/**
 * The logging surface provider clients need. A pino `Logger` satisfies it;
 * tests may pass a recorder. Clients log names, codes, paths and outcome
 * kinds only: never headers, keys or signatures (architecture.md invariant 8).
 */
export interface ProviderLogger {
  debug(obj: Record<string, unknown>, msg: string): void;
  info(obj: Record<string, unknown>, msg: string): void;
  warn(obj: Record<string, unknown>, msg: string): void;
}

export const silentLogger: ProviderLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
};

/** What a log line may say about an outcome: its kind and its (already scrubbed) reason or message. */
export function outcomeLogFields(outcome: {
  kind: string;
  reason?: string;
  message?: string;
  status?: string;
  providerRef?: string | null;
}): Record<string, unknown> {
  return {
    outcome: outcome.kind,
    ...(outcome.status === undefined ? {} : { status: outcome.status }),
    ...(outcome.reason === undefined ? {} : { reason: outcome.reason }),
    ...(outcome.message === undefined ? {} : { message: outcome.message }),
    ...(outcome.providerRef == null ? {} : { providerRef: outcome.providerRef }),
  };
}

/** Submit outcomes an operator should notice (money in doubt, or a configuration problem) log at warn. */
export function submitLogLevel(outcome: { kind: string; authError?: boolean }): 'info' | 'warn' {
  return outcome.kind === 'unknown' || outcome.authError === true ? 'warn' : 'info';
}
