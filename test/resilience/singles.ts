/**
 * Single withdrawals POSTed one after the other all through a fault, the way the contract tells a
 * producer to behave: a refused one (503, or no answer) is sent again with the same body until it
 * is accepted.
 */
import { makeItems, sleep, type Item, type Stack } from './harness.ts';

export interface Singles {
  /** Ids answered 202 or 200, with their payment hashes. */
  accepted: Map<string, string>;
  /** When each answer 202/200 arrived (ms). */
  acceptedAt: number[];
  unavailable: number;
  other: number;
}

export interface SinglesOptions {
  /** Ids are `<label>-<n>`. */
  label: string;
  expirySeconds: number;
  /** Fails when one single is still not accepted this long after the first POST. */
  timeoutMs: number;
  /** Pause between two POSTs. @defaultValue 50 */
  everyMs?: number;
}

/** POSTs singles one every `everyMs` until `stop()`, tallied into `out` as they go. */
export async function postSingles(stack: Pick<Stack, 'call'>, out: Singles, stop: () => boolean, opts: SinglesOptions): Promise<void> {
  let n = 0;
  let pending: { item: Item; hash: string } | null = null;
  const deadline = Date.now() + opts.timeoutMs;
  while (!stop() || pending) {
    if (Date.now() > deadline) throw new Error(`a single POST was never accepted: ${JSON.stringify({ ...out, accepted: out.accepted.size })}`);
    if (!pending) {
      const { items, hashes } = makeItems(`${opts.label}-${n++}`, 1, opts.expirySeconds);
      const item = items[0];
      const hash = item && hashes.get(item.id);
      if (!item || !hash) throw new Error('makeItems returned nothing');
      pending = { item, hash };
    }
    const res = await stack.call('POST', '/v1/withdrawals', pending.item).catch(() => null);
    if (res?.status === 202 || res?.status === 200) {
      out.accepted.set(pending.item.id, pending.hash);
      out.acceptedAt.push(Date.now());
      pending = null;
    } else if (res === null || res.status === 503) {
      out.unavailable++;
    } else {
      out.other++;
    }
    await sleep(opts.everyMs ?? 50);
  }
}
