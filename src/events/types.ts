import { STATUSES } from '../withdrawals/status.ts';

/** Every event type (interface.md): one per status word, and `batch.done`. */
export const EVENT_TYPES = [...STATUSES.map((s) => `withdrawal.${s}` as const), 'batch.done'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export function isEventType(v: string): v is EventType {
  return (EVENT_TYPES as readonly string[]).includes(v);
}

/** An event as `GET /v1/events` lists it and as a webhook delivers it. */
export interface WithdrawalEvent {
  id: string;
  type: string;
  timestamp: string;
  data: unknown;
}
