import type { Caller } from '../callers.ts';
import type { Endpoint } from './endpoint.ts';
import type { UrlCheck } from '../net/private-addresses.ts';
import type { EndpointRegistry, NewEndpoint } from './registry.ts';

export type Registration = { ok: true; endpoint: Endpoint } | { ok: false; refused: 'url' | 'limit'; message: string };

export interface RegistrationDeps {
  registry: EndpointRegistry;
  checkUrl: UrlCheck;
  /** Endpoints one caller may have (WEBHOOK_MAX_ENDPOINTS). */
  maxEndpoints: number;
}

/** `POST /v1/webhooks`: the URL policy first, then the per-caller limit, counted as the endpoint is stored. */
export function createRegistration(deps: RegistrationDeps): (caller: Caller, input: NewEndpoint) => Promise<Registration> {
  return async (caller, input) => {
    const problem = await deps.checkUrl(input.url);
    if (problem) return { ok: false, refused: 'url', message: problem };
    const endpoint = await deps.registry.create(input, caller, deps.maxEndpoints);
    if (endpoint === 'limit') {
      const message = `at most ${deps.maxEndpoints} webhook endpoints per producer (WEBHOOK_MAX_ENDPOINTS); remove one with DELETE /v1/webhooks/:id first`;
      return { ok: false, refused: 'limit', message };
    }
    return { ok: true, endpoint };
  };
}
