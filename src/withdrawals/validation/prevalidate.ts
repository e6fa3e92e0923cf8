import type { CheckContext } from '../checks.ts';
import type { ValidationPool } from './pool.ts';
import type { Validation } from './validate.ts';

/** Items per message to a validation thread: large enough that messaging costs little per item. */
const CHUNK = 256;

export interface Prevalidated {
  item: unknown;
  /** Undefined for an item `skip` passes through (a parser's refused line): it is not validated. */
  validation: Validation | undefined;
}

type Settled = { ok: true; results: Validation[] | null } | { ok: false; error: unknown };

interface Chunk {
  items: unknown[];
  /** Never rejects: a chunk waits in the queue while earlier ones are yielded, and a rejection nobody awaits yet would stop the process. */
  settled: Promise<Settled>;
}

/** The chunk's validation with its failure handled from the moment it starts; `emit` throws it in turn. */
function settle(results: Promise<Validation[] | null>): Promise<Settled> {
  return results.then(
    (r): Settled => ({ ok: true, results: r }),
    (error: unknown): Settled => ({ ok: false, error }),
  );
}

/**
 * The items of a batch, in order, each with its validation done in the pool's threads, which work
 * a few chunks ahead of the caller. A failure of `items` itself (a broken stream, a size limit) is
 * thrown only after every item read before it has been yielded, so those are still enqueued.
 */
export async function* prevalidate(
  items: AsyncIterable<unknown> | Iterable<unknown>,
  pool: ValidationPool,
  ctx: () => CheckContext,
  skip: (item: unknown) => boolean,
): AsyncGenerator<Prevalidated> {
  const ahead = Math.max(2, pool.threads * 2);
  const queue: Chunk[] = [];
  let current: unknown[] = [];
  const send = () => {
    const chunk = current;
    current = [];
    const toCheck = chunk.filter((item) => !skip(item));
    // Promise.resolve().then: a validation that throws at once becomes a rejection, handled like any other.
    const results = toCheck.length === 0 ? Promise.resolve(null) : Promise.resolve().then(() => pool.validate(toCheck, ctx()));
    queue.push({ items: chunk, settled: settle(results) });
  };
  // A holder object: TypeScript would otherwise keep `failed` narrowed to null across the yields.
  const state: { failed: { error: unknown } | null } = { failed: null };
  async function* emit(chunk: Chunk): AsyncGenerator<Prevalidated> {
    const settled = await chunk.settled;
    if (!settled.ok) {
      state.failed = { error: settled.error };
      return;
    }
    const { results } = settled;
    let r = 0;
    for (const item of chunk.items) yield { item, validation: skip(item) ? undefined : results?.[r++] };
  }

  let failure: { error: unknown } | null = null;
  try {
    for await (const item of items) {
      current.push(item);
      if (current.length >= CHUNK) send();
      while (queue.length > ahead && !state.failed) yield* emit(queue.shift() as Chunk);
      // Validation failing is a bug, not bad input: stop reading, and yield nothing after the failed chunk.
      if (state.failed) break;
    }
  } catch (error) {
    failure = { error };
  }
  if (!state.failed && current.length > 0) send();
  while (queue.length > 0 && !state.failed) yield* emit(queue.shift() as Chunk);
  if (state.failed) throw state.failed.error;
  if (failure) throw failure.error;
}
