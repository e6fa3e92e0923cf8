// A validation thread whose validation throws on every chunk (a bug in validation), while the thread lives on.
import { parentPort } from 'node:worker_threads';

parentPort?.on('message', (task) => parentPort?.postMessage({ seq: task.seq, failure: 'RangeError: Maximum call stack size exceeded' }));
