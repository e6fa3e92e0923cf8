/** A withdrawal's answer when a stopping worker fenced it and then sent nothing (it is `queued` again). */
export const STOPPED = 'not sent: the worker is stopping';

/** The answer of a withdrawal not sent that the job is to retry. */
const NOT_SENT = 'not sent';

/** What a batch part's run needs of its processor and its job. */
export interface PartRun {
  /** Submits one withdrawal as if it had its own job: its answer (STOPPED, `unknown`, ...) or a throw. */
  submitOne(id: string): Promise<string>;
  /** Whether the thrown error is a "not sent" the job retries (the part's others are still paid). */
  isNotSent(err: unknown): boolean;
  /** True once the worker is closing. */
  stopping(): boolean;
  /** Keeps only these withdrawals in the job (best effort), for its next run. */
  keep(ids: string[]): Promise<void>;
  /** The job back to its queue, no attempt spent; throws to end the run. */
  back(): Promise<never>;
}

/**
 * A part of a batch: its withdrawals one after the other, each exactly as if it had its own job
 * (fenced on its own; one already moved on is skipped, so a part run again pays nobody twice). A
 * throw (over the budget or a Retry-After: RateLimitError) ends the run at once; a withdrawal not
 * sent is retried with the job, after the others (its error thrown at the end); after an unknown
 * outcome, or on a stopping worker, what is left goes back to the queue (a breaker the outcome opened
 * holds it). A job that goes back keeps only the withdrawals this run did not move on: run again, it
 * reads only those. Returns its answers counted, e.g. `submitted 15, skipped: failed 1`.
 */
export async function runPart(ids: readonly string[], run: PartRun): Promise<string> {
  const tally = new Map<string, number>();
  const left = new Set(ids);
  let retry: unknown = null;
  let back = false;
  const keepLeft = async () => {
    if (left.size > 0 && left.size < ids.length) await run.keep([...left]).catch(() => undefined);
  };
  try {
    for (const [i, id] of ids.entries()) {
      if (run.stopping()) {
        back = true;
        break;
      }
      let result: string;
      try {
        result = await run.submitOne(id);
      } catch (err) {
        if (!run.isNotSent(err)) throw err;
        retry ??= err;
        result = NOT_SENT;
      }
      if (result === STOPPED) {
        back = true;
        break;
      }
      if (result !== NOT_SENT) left.delete(id);
      tally.set(result, (tally.get(result) ?? 0) + 1);
      if (result === 'unknown' && i < ids.length - 1) {
        back = true;
        break;
      }
    }
  } catch (err) {
    await keepLeft();
    throw err;
  }
  if (back || retry !== null) await keepLeft();
  if (back) await run.back();
  if (retry !== null) throw retry;
  return [...tally].map(([result, n]) => `${result} ${n}`).join(', ');
}
