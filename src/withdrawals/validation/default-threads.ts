import { availableParallelism } from 'node:os';

/** VALIDATION_THREADS' default: one per core beyond the first, at most 4 (0 on one core: validate inline). */
export function defaultValidationThreads(): number {
  return Math.max(0, Math.min(4, availableParallelism() - 1));
}
