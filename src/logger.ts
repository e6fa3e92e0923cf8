import { pino, type Logger, type DestinationStream } from 'pino';

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

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      redact: { paths: REDACT_PATHS, censor: '[Redacted]' },
      base: { service: 'withdrawals' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}
