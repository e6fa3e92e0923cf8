import type { Telemetry } from 'bullmq';
import { MAINTENANCE_QUEUE } from '../queues/names.ts';

/** BullMQ's span kinds (its SpanKind enum): INTERNAL is its housekeeping (getNextJob, moveStalledJobsToWait, timers...). */
const INTERNAL = 0;

/** A span that records nothing and leaves the context as it was: housekeeping under it joins its parent. */
const DROPPED = {
  setSpanOnContext: <C>(ctx: C): C => ctx,
  setAttribute: () => undefined,
  setAttributes: () => undefined,
  addEvent: () => undefined,
  recordException: () => undefined,
  end: () => undefined,
};

/** A span of the maintenance queue (the repeated sweep job): named `<operation> maintenance[.<job>]`. */
const MAINTENANCE_SPAN = new RegExp(`^\\S+ ${MAINTENANCE_QUEUE}(\\.|$)`);

/**
 * BullMQ's telemetry with its housekeeping spans dropped unless `housekeeping`: those of kind
 * INTERNAL (stalled-job checks and their timers, fetching the next job, completing one, pauses,
 * closes) and every span of the maintenance queue (the sweep, repeated every SWEEP_EVERY_MS). An
 * idle service makes them all the time (~1,500 an hour) and they belong to no payout. The spans of
 * payout jobs (`add`, `addBulk`, `process` on the submit and settle queues) stay.
 */
export function withoutHousekeeping(telemetry: Telemetry, housekeeping: boolean): Telemetry {
  if (housekeeping) return telemetry;
  const { tracer, contextManager } = telemetry;
  return {
    contextManager,
    tracer: {
      startSpan(name, options, context) {
        return options?.kind === INTERNAL || MAINTENANCE_SPAN.test(name) ? DROPPED : tracer.startSpan(name, options, context);
      },
    },
  };
}
