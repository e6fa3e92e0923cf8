/**
 * Delivery outcomes counted by this process, for the metrics module to expose, e.g. as
 * `withdrawals_webhook_deliveries_total{outcome}`:
 * - `delivered`: a 2xx answer;
 * - `retried`: an attempt failed and another one is scheduled;
 * - `dead_lettered`: the last attempt failed (or the event is no longer kept); the job stays failed;
 * - `skipped`: the endpoint was removed before the event's turn;
 * - `deferred`: the endpoint's owner had every one of its slots in flight (WEBHOOK_MAX_IN_FLIGHT_PER_OWNER):
 *   the job waits a moment, no attempt spent;
 * - `dropped`: the endpoint had WEBHOOK_MAX_WAITING_PER_ENDPOINT live deliveries waiting: the event was not
 *   queued for it (a replay sends it later).
 */
export const DELIVERY_OUTCOMES = ['delivered', 'retried', 'dead_lettered', 'skipped', 'deferred', 'dropped'] as const;
export type DeliveryOutcome = (typeof DELIVERY_OUTCOMES)[number];

export interface WebhookStats {
  record(outcome: DeliveryOutcome): void;
  /** Totals since the process started, one per outcome (zeros included). */
  snapshot(): Record<DeliveryOutcome, number>;
}

export function createWebhookStats(): WebhookStats {
  const counts: Record<DeliveryOutcome, number> = { delivered: 0, retried: 0, dead_lettered: 0, skipped: 0, deferred: 0, dropped: 0 };
  return {
    record(outcome) {
      counts[outcome] += 1;
    },
    snapshot() {
      return { ...counts };
    },
  };
}
