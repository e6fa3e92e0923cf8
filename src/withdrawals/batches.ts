import { randomUUID } from 'node:crypto';
import { AmountBudget } from './amount-budget.ts';
import type { Caller } from '../callers.ts';
import { enqueueWithdrawal, type EnqueueContext, type EnqueueDeps, type EnqueueResult } from './enqueue.ts';
import type { ApiError } from './errors.ts';
import { prevalidate, type Prevalidated } from './validation/prevalidate.ts';
import { BatchParts } from './batch-parts.ts';

// The store reads a batch's summary; its type stays importable from here, with the rest of batches.
export type { BatchSummary } from './store.ts';

/** The most items one batch may hold, whatever its format (JSON, NDJSON, CSV). */
export const MAX_BATCH_ITEMS = 100_000;

export interface BatchRejection {
  index: number;
  id: string | null;
  error: ApiError;
}

export interface BatchAnswer {
  batchId: string;
  accepted: number;
  /** Items accepted earlier (a replayed batch): not accepted again. */
  duplicates: number;
  rejected: BatchRejection[];
}

export type BatchItemKind = 'accepted' | 'replayed' | 'refused';

/**
 * An item a file parser could not turn into a withdrawal body (a CSV line with broken quotes, an
 * NDJSON line that is not JSON): it keeps its place in the batch and is refused with this error.
 */
export class RefusedItem {
  constructor(
    readonly id: string | null,
    readonly error: ApiError,
  ) {}
}

/** More than `maxItems` items: the ones before were enqueued, and the batch was sealed with them. */
export class BatchTooLargeError extends Error {
  override name = 'BatchTooLargeError';
  readonly code = 'payload_too_large';
  constructor(readonly maxItems: number) {
    super(`a batch holds at most ${maxItems} items`);
  }
}

/** A size limit of the input (`BatchTooLargeError`, or a body limit of the stream it is read from). */
function isLimitError(err: unknown): boolean {
  return err instanceof Error && 'code' in err && err.code === 'payload_too_large';
}

export function newBatchId(): string {
  return `batch_${randomUUID()}`;
}

function itemId(item: unknown): string | null {
  if (item instanceof RefusedItem) return item.id;
  if (item && typeof item === 'object' && 'id' in item && typeof item.id === 'string') return item.id;
  return null;
}

function enqueueItem(deps: EnqueueDeps, ctx: EnqueueContext, { item, validation }: Prevalidated): Promise<EnqueueResult> {
  if (item instanceof RefusedItem) return Promise.resolve({ kind: 'refused', status: 400, error: item.error });
  return enqueueWithdrawal(deps, item, { ...ctx, validation });
}

/** A batch id that another producer (or operator) already uses: nothing of that batch is touched. */
export class BatchIdTakenError extends Error {
  override name = 'BatchIdTakenError';
  readonly code = 'idempotency_conflict';
  constructor(readonly batchId: string) {
    super(`the batch id ${batchId} is already taken; use a new id for a new batch`);
  }
}



/** Each item with its validation: done ahead in the validation threads when there are any. */
async function* withValidation(deps: EnqueueDeps, items: AsyncIterable<unknown> | Iterable<unknown>): AsyncGenerator<Prevalidated> {
  if (deps.validationPool && deps.validationPool.threads > 0) {
    yield* prevalidate(items, deps.validationPool, () => deps.checks(), (item) => item instanceof RefusedItem);
    return;
  }
  for await (const item of items) yield { item, validation: undefined };
}

/** What the batch already holds, so that a replayed or continued batch keeps to its limit. */
async function batchBudget(deps: EnqueueDeps, batchId: string): Promise<AmountBudget | null> {
  if (deps.maxBatchAmountMsat == null) return null;
  return new AmountBudget(deps.maxBatchAmountMsat, await deps.store.batchAmountMsat(batchId));
}

export interface EnqueueBatchOptions {
  /**
   * Items being validated and stored at once: enough that Redis round trips overlap and the API's
   * commands travel pipelined (docs/performance.md), still a bound on a streamed file. @defaultValue 1024
   */
  concurrency?: number;
  /** @defaultValue MAX_BATCH_ITEMS */
  maxItems?: number;
  /** Called once per item, in completion order (progress bars). */
  onItem?(kind: BatchItemKind): void;
}

/**
 * Enqueues every item of a batch (bounded concurrency, so a streamed file is read only as fast as
 * Redis takes it); valid items are accepted even when others are refused. The batch is sealed after
 * the last item, so `done` can become true. When reading the items fails half-way (a broken
 * connection, an interrupted command), the items already stored stay accepted and the batch stays
 * open: replaying it completes it. Past a size limit, the batch is sealed with the items before it.
 */
export async function enqueueBatch(
  deps: EnqueueDeps,
  caller: Caller,
  batchId: string,
  items: AsyncIterable<unknown> | Iterable<unknown>,
  opts: EnqueueBatchOptions = {},
): Promise<BatchAnswer> {
  // The first caller to use a batch id owns the batch; nobody else adds to it (nor learns what it holds).
  if ((await deps.store.claimBatch(batchId, caller.name)) !== caller.name) throw new BatchIdTakenError(batchId);
  const answer: BatchAnswer = { batchId, accepted: 0, duplicates: 0, rejected: [] };
  // Index of batches that may be unfinished, for the batch-progress metric (which prunes done ones).
  await deps.store.indexBatch(batchId, Date.now());
  const budget = await batchBudget(deps, batchId);
  const limit = opts.concurrency ?? 1024;
  const maxItems = opts.maxItems ?? MAX_BATCH_ITEMS;
  const inFlight = new Set<Promise<void>>();
  // A holder object: TypeScript would otherwise keep `failed` narrowed to false across awaits.
  const state: { failed: boolean; error: unknown } = { failed: false, error: undefined };
  const parts = new BatchParts(batchId, (provider, jobId, ids) => deps.queues.addSubmitPart(provider, jobId, ids), deps.logger);
  let index = 0;
  try {
    for await (const entry of withValidation(deps, items)) {
      if (index >= maxItems) throw new BatchTooLargeError(maxItems);
      const i = index++;
      const { item } = entry;
      const part = parts.slot(i);
      const p = enqueueItem(deps, { caller, batchId, budget, part }, entry).then(
        (res) => {
          part?.done();
          if (res.kind === 'accepted') answer.accepted++;
          else if (res.kind === 'replayed') answer.duplicates++;
          else answer.rejected.push({ index: i, id: itemId(item), error: res.error });
          opts.onItem?.(res.kind);
        },
        (err: unknown) => {
          part?.done();
          if (!state.failed) state.error = err;
          state.failed = true;
        },
      );
      inFlight.add(p);
      void p.finally(() => inFlight.delete(p));
      if (inFlight.size >= limit) await Promise.race(inFlight);
      if (state.failed) break;
    }
  } catch (err) {
    await Promise.all(inFlight);
    // Input cut at a size limit will not grow: seal what came in so the batch can finish.
    if (isLimitError(err)) await deps.store.sealBatch(batchId);
    throw err;
  } finally {
    // Never leave writes running behind an error: the caller's answer must describe what happened.
    await Promise.all(inFlight);
    // Every stored withdrawal's part gets its job before the answer.
    await parts.finish();
  }
  if (state.failed) throw state.error;
  answer.rejected.sort((a, b) => a.index - b.index);
  await deps.store.sealBatch(batchId);
  return answer;
}
