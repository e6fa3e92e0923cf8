/**
 * Keeps secrets out of everything a client returns or logs. Provider answers
 * are stored as evidence (`raw`, `reason`, `message`); a provider that echoes a
 * credential back must not get it into Redis, logs or the dashboard.
 */

export const RAW_EXCERPT_CHARS = 2048;
const REDACTED = '[redacted]';
/** Shorter values are not treated as secrets: replacing them would mangle ordinary text. */
const MIN_SECRET_LENGTH = 4;

export interface Scrubber {
  text(value: string): string;
  /** Deep copy of a parsed JSON value with every string scrubbed. */
  json(value: unknown): unknown;
}

export function createScrubber(secrets: ReadonlyArray<string | null | undefined>): Scrubber {
  const list = secrets.filter((s): s is string => typeof s === 'string' && s.length >= MIN_SECRET_LENGTH);
  // Every provider answer goes through here: split/join only when a secret is actually present.
  const text = (value: string): string => list.reduce((acc, secret) => (acc.includes(secret) ? acc.split(secret).join(REDACTED) : acc), value);
  const json = (value: unknown): unknown => {
    if (typeof value === 'string') return text(value);
    if (Array.isArray(value)) return value.map(json);
    if (typeof value === 'object' && value !== null) {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [text(k), json(v)]));
    }
    return value;
  };
  return { text, json };
}

/** A body excerpt bounded to 2 KB, so a huge HTML error page is evidence, not a payload. */
export function rawExcerpt(text: string, max = RAW_EXCERPT_CHARS): string {
  return text.length <= max ? text : `${text.slice(0, max)}…[${text.length - max} more chars]`;
}
