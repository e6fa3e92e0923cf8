import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventRoutes, webhookDeliveries, webhookRoutes } from './openapi-routes/events.ts';
import { adminRoutes, operationRoutes, readyWithoutWorkers } from './openapi-routes/operations.ts';
import { h, startWalk, stopWalk, type Json } from './openapi-routes/walk.ts';
import { batchRoutes, cancelAndResolve, limitRoutes, listRoutes, withdrawalRoutes } from './openapi-routes/withdrawals.ts';

/**
 * Walks every documented route against a running pipeline: each answer's status must be documented
 * for its operation and its body must match the documented schema; at the end, every documented
 * status must have been seen, except the few listed in NOT_PRODUCED with the reason. Each walk
 * (in openapi-routes/) sets up what it needs itself, so the coverage test can run them all.
 */

const NOT_PRODUCED: Record<string, string> = {
  '429': 'rate_limited: needs API_RATE_LIMIT_PER_S or a burst of wrong tokens (see test/integration/rate-limits.test.ts)',
  '503': 'unavailable: Redis down (shape covered by the ErrorBody schema; see test/integration/unavailable.test.ts)',
};

beforeAll(startWalk);
afterAll(stopWalk);

const SCENARIOS = [withdrawalRoutes, listRoutes, cancelAndResolve, limitRoutes, batchRoutes, eventRoutes, webhookRoutes, webhookDeliveries, operationRoutes, adminRoutes, readyWithoutWorkers];

describe('withdrawals', () => {
  it('POST /v1/withdrawals: 202, 200, 400, 409 (both codes), 401, 413, 415', withdrawalRoutes);
  it('GET /v1/withdrawals: 200 (own, a batch, a cursor, one producer for an operator), 400, 403, 401', listRoutes);
  it('cancel and resolve: 200, 400, 404, 409 and the body errors', cancelAndResolve);
  it('GET /v1/limits: 200, 400, 403, 401', limitRoutes);
});

describe('batches', () => {
  it('POST /v1/batches as JSON, NDJSON and CSV: 202; 400, 401, 413, 415', batchRoutes);
});

describe('events and webhooks', () => {
  it('GET /v1/events: 200 with withdrawal and batch.done events; 400; 401', eventRoutes);
  it('the webhook routes: 201, 200, 202, 204; 400 (body, limit), 404, 409; body errors', webhookRoutes);
  it('deliveries match the documented webhook and verify with a Standard Webhooks library', webhookDeliveries);
});

describe('operations and admin', () => {
  it('health, readiness, metrics, the document and its page', operationRoutes);
  it('the admin pages: 200, 400, 404 and 401', adminRoutes);
  it('GET /readyz answers 503 once the workers stopped', readyWithoutWorkers);
});

describe('coverage', () => {
  it('every documented status of every route is produced by the scenarios (except the ones no test can cause here)', async () => {
    h.seen.clear();
    for (const scenario of SCENARIOS) await scenario();
    const missing: string[] = [];
    for (const [path, item] of Object.entries(h.doc.paths)) {
      for (const [method, op] of Object.entries(item)) {
        for (const status of Object.keys(op.responses as Json)) {
          const key = `${method.toUpperCase()} ${path} ${status}`;
          if (!h.seen.has(key) && !NOT_PRODUCED[status]) missing.push(key);
        }
      }
    }
    expect(missing).toEqual([]);
  }, 120_000);
});
