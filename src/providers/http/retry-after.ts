/**
 * Retry-After (RFC 9110 §10.2.3): either delay-seconds or an HTTP-date.
 * Returns milliseconds from `now`, or undefined when absent or unreadable.
 */
const DELAY_SECONDS = /^[0-9]{1,10}$/;

export function parseRetryAfter(header: string | undefined, now: Date): number | undefined {
  if (header === undefined) return undefined;
  const value = header.trim();
  if (value === '') return undefined;
  if (DELAY_SECONDS.test(value)) return Number(value) * 1000;
  // Only HTTP-date shapes (IMF-fixdate / RFC 850 end in "GMT"), not any string Date.parse accepts.
  if (!/GMT$/.test(value)) return undefined;
  const at = Date.parse(value);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now.getTime());
}
