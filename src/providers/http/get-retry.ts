import pRetry from 'p-retry';
import type { HttpRequest, HttpResult, HttpTransport } from './transport.ts';

/**
 * The only in-request retry layer (architecture.md invariant 3): a status GET,
 * which is idempotent, gets a second attempt after a transport error. HTTP
 * answers (5xx included) are returned as they are; submits never come here.
 */

export const GET_ATTEMPTS = 2;
/** @defaultValue 200 ms between the two attempts */
export const GET_RETRY_DELAY_MS = 200;

class TransportAttemptFailed extends Error {
  override readonly name = 'TransportAttemptFailed';
  constructor(readonly result: Extract<HttpResult, { ok: false }>) {
    super(result.reason);
  }
}

export async function sendIdempotentGet(
  transport: HttpTransport,
  req: HttpRequest & { method: 'GET' },
  retryDelayMs: number = GET_RETRY_DELAY_MS,
): Promise<HttpResult> {
  try {
    return await pRetry(
      async () => {
        const result = await transport.send(req);
        if (!result.ok) throw new TransportAttemptFailed(result);
        return result;
      },
      { retries: GET_ATTEMPTS - 1, minTimeout: retryDelayMs, maxTimeout: retryDelayMs, factor: 1, randomize: false },
    );
  } catch (err) {
    if (err instanceof TransportAttemptFailed) return err.result;
    throw err;
  }
}
