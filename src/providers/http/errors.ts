/**
 * The ONE place that decides, from a transport error, whether a request may
 * have reached the provider. Classification reads only the stable `code` (and
 * `name`) that undici and Node give their errors, never message text.
 *
 * `not_sent`: the request provably never left this process, so a submit may be
 * retried (architecture.md invariant 3). Everything else is `unknown`: the bytes
 * may have been written and the provider may have acted (invariant 2).
 */

export type TransportFailureKind = 'not_sent' | 'unknown';

/**
 * Codes that can only arise before a single byte of the request was written:
 * DNS resolution failed, or the TCP connect was refused or timed out.
 * Deliberately NOT here: EHOSTUNREACH/ENETUNREACH (can be reported on an
 * established socket), ECONNRESET/UND_ERR_SOCKET (socket died, maybe after the
 * write), UND_ERR_HEADERS_TIMEOUT/UND_ERR_BODY_TIMEOUT (request was written),
 * UND_ERR_ABORTED/TimeoutError (abort can fire at any stage).
 */
const NOT_SENT_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'UND_ERR_CONNECT_TIMEOUT',
]);

function field(err: unknown, key: 'code' | 'name'): string | undefined {
  if (typeof err !== 'object' || err === null || !(key in err)) return undefined;
  const value: unknown = Reflect.get(err, key);
  return typeof value === 'string' ? value : undefined;
}

/** Sub-errors of an AggregateError (Node's happy-eyeballs connect reports one per address). */
function subErrors(err: unknown): unknown[] | null {
  if (typeof err !== 'object' || err === null || !('errors' in err)) return null;
  const errors: unknown = Reflect.get(err, 'errors');
  return Array.isArray(errors) && errors.length > 0 ? errors : null;
}

export function classifyTransportError(err: unknown): TransportFailureKind {
  const subs = subErrors(err);
  if (subs !== null) {
    // Every address failed to connect: only then is the whole attempt "not sent".
    return subs.every((sub) => classifyTransportError(sub) === 'not_sent') ? 'not_sent' : 'unknown';
  }
  const code = field(err, 'code');
  return code !== undefined && NOT_SENT_CODES.has(code) ? 'not_sent' : 'unknown';
}

/**
 * A log- and record-safe description: error name and code only. Messages are
 * left out on purpose: they are not stable and may echo request details.
 */
export function describeTransportError(err: unknown): string {
  const name = field(err, 'name') ?? (err instanceof Error ? 'Error' : typeof err);
  const code = field(err, 'code');
  return code === undefined ? name : `${name} (${code})`;
}
