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

interface Chunk {
  items: unknown[];
  results: Promise<Validation[] | null>;
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
    const results = toCheck.length === 0 ? Promise.resolve(null) : pool.validate(toCheck, ctx());
    queue.push({ items: chunk, results });
  };
  async function* emit(chunk: Chunk): AsyncGenerator<Prevalidated> {
    const results = await chunk.results;
    let r = 0;
    for (const item of chunk.items) yield { item, validation: skip(item) ? undefined : results?.[r++] };
  }

  let failure: { error: unknown } | null = null;
  try {
    for await (const item of items) {
      current.push(item);
      if (current.length >= CHUNK) send();
      while (queue.length > ahead) yield* emit(queue.shift() as Chunk);
    }
  } catch (error) {
    failure = { error };
  }
  if (current.length > 0) send();
  while (queue.length > 0) yield* emit(queue.shift() as Chunk);
  if (failure) throw failure.error;
}
