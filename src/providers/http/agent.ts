import { Agent } from 'undici';

/** Default of PROVIDER_TIMEOUT_MS (interface.md): how long one provider request may take. */
export const DEFAULT_PROVIDER_TIMEOUT_MS = 15_000;

/**
 * The dispatcher a client builds when none is injected. The connect timeout can
 * only be set on a dispatcher, so an injected one brings its own; headers and
 * body timeouts are also set per request by the transport.
 */
export function createProviderAgent(timeoutMs: number): Agent {
  return new Agent({
    connect: { timeout: timeoutMs },
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
  });
}
