/** Tiny server-side HTML helpers: every value from a record goes through `esc` (producers write descriptions). */

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function esc(value: unknown): string {
  const s = value === null || value === undefined ? '' : String(value);
  return s.replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}

/** A path segment for links: ids may hold `:` and `.`, which are safe, but encode anyway. */
export function pathPart(value: string): string {
  return encodeURIComponent(value);
}

/** "3 s", "4 min", "2 h 5 min", "3 d 4 h": how long ago, for a person scanning a list. */
export function formatAge(fromIso: string, nowMs: number): string {
  const from = Date.parse(fromIso);
  if (!Number.isFinite(from)) return '?';
  const s = Math.max(0, Math.floor((nowMs - from) / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ${m % 60} min`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}

/** Millisatoshi as sats when whole ("25 000 sat"), else msat; never through `number`. */
export function formatMsat(msat: string | null): string {
  if (msat === null || !/^[0-9]+$/.test(msat)) return '';
  const v = BigInt(msat);
  const group = (n: bigint) => n.toString().replace(/\B(?=(\d{3})+(?!\d))/g, '\u202f');
  return v % 1000n === 0n ? `${group(v / 1000n)} sat` : `${group(v)} msat`;
}

const STYLE = `
body{font:14px/1.4 system-ui,sans-serif;margin:1.5rem;color:#1b1f24;background:#fafafa}
h1{font-size:1.3rem}h2{font-size:1.05rem;margin-top:1.6rem}
table{border-collapse:collapse;width:100%;background:#fff}
th,td{border:1px solid #d0d7de;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#f0f3f6}td.num{text-align:right;white-space:nowrap}
code,pre{font:12px/1.4 ui-monospace,monospace;word-break:break-all;white-space:pre-wrap}
.attention h2{color:#b42318}.muted{color:#57606a}
nav a{margin-right:1rem}
`;

/** A complete page; `body` must already be escaped HTML. */
export function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(title)}</title><style>${STYLE}</style></head>
<body><nav><a href="/admin/withdrawals">Withdrawals</a><a href="/admin/queues">Queues</a></nav>
${body}
</body></html>
`;
}

/**
 * Headers for every admin HTML page: nothing but inline styles may load (no scripts at all), the
 * page cannot be framed, and operator data is not cached.
 */
export const HTML_HEADERS: Record<string, string> = {
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};
