import { lookup as dnsLookup } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import { buildConnector } from 'undici';
import { bareHost, lookupAll, PrivateAddressError, refusedRange } from './private-addresses.ts';

/**
 * The connect-time half of the outbound URL policy. Registration or acceptance checked the name once;
 * what it resolves to when a request connects may differ (DNS rebinding, a URL stored while private
 * addresses were allowed), so every address the name resolves to is checked, the socket connects only
 * to a checked one, and a refused one is never connected to.
 */

/**
 * A `lookup` for `net.connect` that resolves every address and fails when any is refused. With
 * happy eyeballs (Node's default) the socket asks for all of them; otherwise for the first.
 */
export function guardedLookup(lookup: LookupFunction = dnsLookup): LookupFunction {
  return (hostname, options, callback) => {
    lookupAll(lookup, hostname).then(
      (addresses) => {
        for (const a of addresses) {
          const range = refusedRange(a.address);
          if (range) return callback(new PrivateAddressError(a.address, range), '');
        }
        const wanted = options.family === 4 || options.family === 6 ? addresses.filter((a) => a.family === options.family) : addresses;
        const first = wanted[0];
        if (options.all) return callback(null, wanted);
        if (!first) return callback(Object.assign(new Error(`no IPv${options.family} address for ${hostname}`), { code: 'ENOTFOUND' }), '');
        return callback(null, first.address, first.family);
      },
      (err: NodeJS.ErrnoException) => callback(err, ''),
    );
  };
}

export interface GuardedConnectorOptions {
  /** Connect time limit (ms). */
  timeout: number;
  /** @defaultValue node:dns `lookup` */
  lookup?: LookupFunction;
}

/**
 * An undici connector that refuses address literals in a refused range (a socket skips `lookup` for
 * them) and resolves names through `guardedLookup`.
 */
export function guardedConnector(opts: GuardedConnectorOptions): buildConnector.connector {
  const connect = buildConnector({ timeout: opts.timeout, lookup: guardedLookup(opts.lookup) });
  return (options, callback) => {
    const host = bareHost(options.hostname);
    const range = isIP(host) === 0 ? null : refusedRange(host);
    if (range) return callback(new PrivateAddressError(host, range), null);
    return connect(options, callback);
  };
}
