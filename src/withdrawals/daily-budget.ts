import type { DailyLimits, DailyUsage } from './store.ts';

/** One producer's day as `GET /v1/limits` shows it: amounts as msat strings, null where no limit is set. */
export interface DailyBudgetView {
  producer: string;
  /** The UTC day (YYYY-MM-DD). */
  day: string;
  amountMsat: { limit: string | null; used: string; left: string | null };
  count: { limit: number | null; used: number; left: number | null };
}

/** Used and left, from the day's usage (cancelled and failed withdrawals already given back). */
export function dailyBudgetView(producer: string, used: DailyUsage, limits: DailyLimits): DailyBudgetView {
  const amountLeft = limits.amountMsat === null ? null : limits.amountMsat > used.amountMsat ? limits.amountMsat - used.amountMsat : 0n;
  return {
    producer,
    day: used.day,
    amountMsat: { limit: limits.amountMsat?.toString() ?? null, used: used.amountMsat.toString(), left: amountLeft?.toString() ?? null },
    count: { limit: limits.count, used: used.count, left: limits.count === null ? null : Math.max(0, limits.count - used.count) },
  };
}
