import type { ProviderCapabilities } from '../providers/definition.ts';
import type { ProviderClient, SubmitOutcome } from '../providers/types.ts';
import type { ProviderName } from '../withdrawals/types.ts';
import type { Keys } from '../keys.ts';
import type { Logger } from '../logger.ts';
import type { RedisClient } from '../redis.ts';
import { createBreaker, type Breaker, type BreakerSettings } from './breaker.ts';
import { createProviderBudget, type ProviderBudget } from './provider-budget.ts';
import type { Queues } from './queues.ts';

/**
 * One provider as the workers see it, built once per enabled provider: what pays through it and
 * what holds it back. The submit processor works its own lane and fails over to another's queue;
 * the settle processor looks payments up through a record's lane.
 */
export interface ProviderLane {
  name: ProviderName;
  client: ProviderClient;
  /** What its definition says it does (its "paid" on submit settles only with `settlesOnSubmit`). */
  capabilities: Pick<ProviderCapabilities, 'settlesOnSubmit'>;
  /** Its fleet-wide request budget (its definition's rate limit), shared by submits and lookups; absent: none. */
  budget?: ProviderBudget;
  /** Its circuit breaker: fed every submit outcome, opened (its queue paused) when credentials are refused, ticked by the maintenance job. */
  breaker: Pick<Breaker, 'record' | 'open' | 'tick'>;
  /** Its submit queue: where a withdrawal that fails over to this provider goes. */
  queue: LaneQueue;
  /** Refusals its definition lists as proof that nothing was sent (each sourced); others are checked by a lookup. */
  refusalProvesNotSent?(outcome: Extract<SubmitOutcome, { kind: 'rejected' }>): boolean;
  /** Refused credentials may send the withdrawal to the next provider (its definition says so). */
  authErrorFailsOver?: boolean;
}

export interface LaneQueue {
  /** Adds the submit job of round `round` of withdrawal `id`. */
  add(id: string, round: number): Promise<void>;
}

/** The enabled providers' lanes by name: a withdrawal fails over only to one of these. */
export type Lanes = ReadonlyMap<ProviderName, ProviderLane>;

/** The lanes keyed by their names. */
export function lanesByName(lanes: Iterable<ProviderLane>): Lanes {
  return new Map([...lanes].map((lane) => [lane.name, lane]));
}

export interface LaneOptions {
  name: ProviderName;
  client: ProviderClient;
  capabilities: Pick<ProviderCapabilities, 'settlesOnSubmit'>;
  redis: RedisClient;
  keys: Keys;
  queues: Pick<Queues, 'submitQueue' | 'addSubmit'>;
  breaker: BreakerSettings;
  /** Requests per second across the fleet, submits and lookups together; 0: no budget. */
  ratePerS: number;
  logger: Logger;
}

/** A provider's lane: its breaker over its submit queue, and its fleet-wide budget when it has a rate limit. */
export function createLane(opts: LaneOptions): ProviderLane {
  const { name, redis, keys } = opts;
  return {
    name,
    client: opts.client,
    capabilities: opts.capabilities,
    ...(opts.ratePerS > 0 ? { budget: createProviderBudget({ redis, keys, provider: name, perSecond: opts.ratePerS }) } : {}),
    breaker: createBreaker({ redis, keys, provider: name, queue: opts.queues.submitQueue(name), settings: opts.breaker, logger: opts.logger }),
    queue: { add: (id, round) => opts.queues.addSubmit(name, id, round) },
  };
}
