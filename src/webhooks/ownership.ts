import type { Caller } from '../callers.ts';
import type { Endpoint } from './endpoint.ts';

/**
 * Whose endpoints and events are whose (interface.md, "Who may do what"). A producer's endpoint is its
 * own and carries its own events only; an operator's endpoint, and the one from WEBHOOK_URL (the
 * operators'), carry every producer's.
 */

/** May `caller` see, remove or replay to this endpoint? Otherwise it answers as if it did not exist. */
export function mayManage(caller: Caller, endpoint: Endpoint): boolean {
  if (caller.role === 'operator') return true;
  return endpoint.owner !== null && endpoint.owner.role === 'producer' && endpoint.owner.name === caller.name;
}

/** May an event of `eventOwner` (the stream entry's owner) be sent to this endpoint? */
export function carries(endpoint: Endpoint, eventOwner: string): boolean {
  return endpoint.owner === null || endpoint.owner.role === 'operator' || endpoint.owner.name === eventOwner;
}
