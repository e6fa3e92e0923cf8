import { pino, symbols, type Logger, type DestinationStream } from 'pino';
import { logContextFields } from './log-context.ts';

export type { Logger };

/** Every path where a secret could sit in a log object; pino replaces them with [Redacted]. */
export const REDACT_PATHS = [
  'apiKey',
  'apiSecret',
  'apiToken',
  'secret',
  'token',
  'password',
  'authorization',
  '*.apiKey',
  '*.apiSecret',
  '*.apiToken',
  '*.secret',
  '*.token',
  '*.password',
  '*.authorization',
  'req.headers.authorization',
  'req.headers["api-key"]',
  'req.headers["x-api-key"]',
  'req.headers["api-token"]',
  'req.headers.signature',
  'headers.authorization',
  'headers["api-key"]',
  'headers["x-api-key"]',
  // A configuration logged whole shows none of its values: it holds the service's tokens and
  // passwords and every provider's keys, whatever variables a provider definition adds.
  'config.*',
];

/** Whether a logger's bindings (a Fastify request's child logger) carry `reqId` already. */
function hasReqIdBinding(logger: Logger): boolean {
  const chindings: unknown = Reflect.get(logger, symbols.chindingsSym);
  return typeof chindings === 'string' && chindings.includes('"reqId":');
}

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      redact: { paths: REDACT_PATHS, censor: '[Redacted]' },
      base: { service: 'withdrawals' },
      timestamp: pino.stdTimeFunctions.isoTime,
      // The request id and the active span's ids, whatever logger writes inside a request or a span.
      mixin: (_merge, _level, self) => logContextFields(hasReqIdBinding(self)),
    },
    destination,
  );
}
