import { SpanKind, SpanStatusCode, type Tracer } from '@opentelemetry/api';
import type { ProviderClients } from '../providers/registry.ts';
import type { LookupOutcome, ProviderClient, SubmitOutcome } from '../providers/types.ts';
import { ATTR } from './attributes.ts';

/** Outcomes that leave the money in doubt or tell of a configuration problem: error spans. */
function troubled(outcome: SubmitOutcome | LookupOutcome): boolean {
  return outcome.kind === 'unknown' || outcome.kind === 'error' || ('authError' in outcome && outcome.authError === true);
}

/**
 * A span per provider call (`provider submit`, `provider lookup`), with the withdrawal id, the
 * provider, the operation and its outcome (and the provider's status word when it gave one); the
 * HTTP requests the call makes are its children. Never the request or the answer themselves.
 */
export function traceProviderCalls(clients: ProviderClients, tracer: Tracer): ProviderClients {
  const traced: ProviderClients = {};
  for (const [name, client] of Object.entries(clients) as [keyof ProviderClients, ProviderClient | undefined][]) {
    if (!client) continue;
    const call = <T extends SubmitOutcome | LookupOutcome>(operation: 'submit' | 'lookup', withdrawalId: string, run: () => Promise<T>): Promise<T> =>
      tracer.startActiveSpan(
        `provider ${operation}`,
        { kind: SpanKind.INTERNAL, attributes: { [ATTR.withdrawalId]: withdrawalId, [ATTR.provider]: client.name, [ATTR.operation]: operation } },
        async (span) => {
          try {
            const outcome = await run();
            span.setAttribute(ATTR.outcome, outcome.kind);
            if ('status' in outcome) span.setAttribute(ATTR.providerStatus, outcome.status);
            if (troubled(outcome)) span.setStatus({ code: SpanStatusCode.ERROR, message: outcome.kind });
            return outcome;
          } catch (err) {
            span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.name : 'error' });
            throw err;
          } finally {
            span.end();
          }
        },
      );
    traced[name] = {
      name: client.name,
      submit: (request) => call('submit', request.withdrawalId, () => client.submit(request)),
      lookup: (request) => call('lookup', request.withdrawalId, () => client.lookup(request)),
      ...(client.close ? { close: () => client.close?.() ?? Promise.resolve() } : {}),
    };
  }
  return traced;
}
