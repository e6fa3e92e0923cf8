import type { ProviderClient, SubmitOutcome } from '../../src/providers/types.ts';
import type { ProviderLane } from '../../src/queues/lane.ts';

/**
 * A provider lane around a test's client that writes down what the workers' lane would do: the
 * outcomes its breaker was fed, why it was opened (its queue paused), the submit jobs its queue got.
 */
export function fakeLane(client: ProviderClient, over: Partial<ProviderLane> = {}) {
  const recorded: SubmitOutcome[] = [];
  const opened: string[] = [];
  const added: string[] = [];
  const lane: ProviderLane = {
    name: client.name,
    client,
    capabilities: { settlesOnSubmit: false },
    breaker: {
      record: async (outcome) => void recorded.push(outcome),
      open: async (reason) => void opened.push(reason),
      tick: async () => 'closed',
    },
    queue: { add: async (id, round) => void added.push(`${client.name}:${id}:${round}`) },
    ...over,
  };
  return { lane, recorded, opened, added };
}
