/**
 * Event ids are the Redis stream ids of the events, re-encoded so that plain string order is event order.
 * A stream id is `<ms>-<seq>`, two unsigned 64-bit integers; each becomes 13 base-36 digits (36^13 > 2^64),
 * zero-padded, so every stream id has exactly one event id and back, and `a < b` as strings iff as stream ids.
 */
const WIDTH = 13;
const U64_MAX = (1n << 64n) - 1n;
const STREAM_ID = /^(\d{1,20})-(\d{1,20})$/;
const EVENT_ID = /^evt_([0-9a-z]{13})([0-9a-z]{13})$/;

/** The id before every event: `after` it means "from the oldest kept". */
export const ZERO_STREAM_ID = '0-0';
export const ZERO_EVENT_ID = toEventId(ZERO_STREAM_ID);

function parseBase36(digits: string): bigint {
  let n = 0n;
  for (const ch of digits) n = n * 36n + BigInt(Number.parseInt(ch, 36));
  return n;
}

export function toEventId(streamId: string): string {
  const m = STREAM_ID.exec(streamId);
  const ms = m?.[1] === undefined ? undefined : BigInt(m[1]);
  const seq = m?.[2] === undefined ? undefined : BigInt(m[2]);
  if (ms === undefined || seq === undefined || ms > U64_MAX || seq > U64_MAX) throw new Error(`not a stream id: ${streamId}`);
  return `evt_${ms.toString(36).padStart(WIDTH, '0')}${seq.toString(36).padStart(WIDTH, '0')}`;
}

/** The stream id of an event id, or null when the text is not an event id. */
export function toStreamId(eventId: string): string | null {
  const m = EVENT_ID.exec(eventId);
  if (!m?.[1] || !m[2]) return null;
  const ms = parseBase36(m[1]);
  const seq = parseBase36(m[2]);
  if (ms > U64_MAX || seq > U64_MAX) return null;
  return `${ms}-${seq}`;
}
