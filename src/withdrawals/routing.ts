import { checkWithdrawal, knownProviders, type CheckContext, type CheckResult } from './checks.ts';
import type { WithdrawalRequest } from './request.ts';
import type { ProviderName } from './types.ts';

/** `provider: "auto"`: the service chooses among the providers that can pay the withdrawal. */
export const AUTO = 'auto';

/**
 * The providers that can pay this withdrawal, in the configured order (AUTO_PROVIDER_ORDER): each
 * enabled one whose checks pass (an amountless invoice needs one whose definition has
 * `amountlessInvoices`, an address one with `onchain`). None: the first provider's refusal, which says why.
 */
export function routeWithdrawal(req: WithdrawalRequest, ctx: CheckContext): { ok: true; route: ProviderName[]; checked: CheckResult & { ok: true } } | (CheckResult & { ok: false }) {
  const route: ProviderName[] = [];
  let checked: (CheckResult & { ok: true }) | null = null;
  let firstRefusal: (CheckResult & { ok: false }) | null = null;
  for (const provider of (ctx.routeOrder ?? ctx.enabledProviders).filter((p) => ctx.enabledProviders.includes(p))) {
    const res = checkWithdrawal({ ...req, provider }, ctx);
    if (res.ok) {
      route.push(provider);
      checked ??= res;
    } else firstRefusal ??= res;
  }
  if (checked) return { ok: true, route, checked };
  return (
    firstRefusal ?? {
      ok: false,
      code: 'provider_disabled',
      field: 'provider',
      message: `no provider is enabled on this service to route "auto" to (set ${knownProviders(ctx).map((p) => p.keyVariable).join(' or ')})`,
    }
  );
}

/** The first provider of the route that is not paused (breaker open), else the first of all. */
export async function chooseProvider(route: readonly ProviderName[], paused: (p: ProviderName) => Promise<boolean>): Promise<{ provider: ProviderName; skipped: ProviderName[] }> {
  const skipped: ProviderName[] = [];
  for (const p of route) {
    if (!(await paused(p))) return { provider: p, skipped };
    skipped.push(p);
  }
  const first = route[0];
  if (first === undefined) throw new Error('chooseProvider: an empty route');
  return { provider: first, skipped: [] };
}
