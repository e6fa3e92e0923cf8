/** A validation thread: validates the chunks of batch items the pool sends it. */
import { parentPort } from 'node:worker_threads';
import type { CheckContext } from '../checks.ts';
import { validateWithdrawal, type Validation } from './validate.ts';

export interface ValidationTask {
  seq: number;
  ctx: CheckContext;
  items: unknown[];
}

/** The chunk's validations, or why validating it threw (a bug: validation refuses bad items, it does not throw). */
export type ValidationReply = { seq: number; results: Validation[] } | { seq: number; failure: string };

if (!parentPort) throw new Error('validation/thread.ts runs only as a worker thread (see validation/pool.ts)');
const port = parentPort;
port.on('message', (task: ValidationTask) => {
  let reply: ValidationReply;
  try {
    reply = { seq: task.seq, results: task.items.map((item) => validateWithdrawal(item, task.ctx)) };
  } catch (err) {
    // Answered, not thrown: an uncaught error would end the thread and, with it, every other chunk it holds.
    reply = { seq: task.seq, failure: err instanceof Error ? `${err.name}: ${err.message}` : String(err) };
  }
  port.postMessage(reply);
});
