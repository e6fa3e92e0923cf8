import { BUILTIN_PROVIDER_PROFILES } from '../../src/providers/index.ts';
import type { CheckContext } from '../../src/withdrawals/checks.ts';

/** The checks of a regtest service with both providers on, now, with a 60 s expiry margin. */
export function regtestChecks(over: Partial<CheckContext> = {}): CheckContext {
  return {
    network: 'regtest',
    nowMs: Date.now(),
    expiryMarginSeconds: 60,
    enabledProviders: ['aurpay', 'turinpay'],
    allowOnchain: false,
    maxAmountMsat: null,
    providers: BUILTIN_PROVIDER_PROFILES,
    ...over,
  };
}
