/**
 * A fleet-wide limit of `perSecond` requests as BullMQ rate-limiter windows of about 250 ms.
 * BullMQ counts jobs per fixed window; a one-second window lets the whole second's jobs start in a
 * burst, which a provider's token bucket (refilled continuously) answers with 429s. Quarter-second
 * windows spread them out. The duration is rounded up, so the rate never exceeds the limit.
 */
export function rateLimitWindow(perSecond: number): { max: number; durationMs: number } {
  const max = Math.max(1, Math.round(perSecond / 4));
  return { max, durationMs: Math.ceil((1000 * max) / perSecond) };
}
