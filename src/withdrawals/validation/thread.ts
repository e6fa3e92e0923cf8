/** A validation thread: validates the chunks of batch items the pool sends it. */
import { parentPort } from 'node:worker_threads';
import type { CheckContext } from '../checks.ts';
import { validateWithdrawal, type Validation } from './validate.ts';

export interface ValidationTask {
  seq: number;
  ctx: CheckContext;
  items: unknown[];
}

export interface ValidationReply {
  seq: number;
  results: Validation[];
}

if (!parentPort) throw new Error('validation/thread.ts runs only as a worker thread (see validation/pool.ts)');
const port = parentPort;
port.on('message', (task: ValidationTask) => {
  const reply: ValidationReply = { seq: task.seq, results: task.items.map((item) => validateWithdrawal(item, task.ctx)) };
  port.postMessage(reply);
});
