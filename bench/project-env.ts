/** The environment the benchmark gives the API and worker processes of a project run. */
export interface ProjectEnvOptions {
  concurrency: number;
  pollMs: number;
  eventsMaxLen: number;
  jobRetentionCount: number;
  historyRetentionS: number;
}

export function projectEnv(o: ProjectEnvOptions): Record<string, string> {
  return {
    SUBMIT_CONCURRENCY: String(o.concurrency),
    SETTLE_CONCURRENCY: String(o.concurrency),
    // A short first status check: latency then measures the pipeline, not the configured wait.
    SETTLE_POLL_MS: String(o.pollMs),
    SETTLE_POLL_MAX_MS: '1000',
    // Retention: a bounded event stream and job history, and histories that expire a second after a
    // final status, so the memory figure is what the kept records cost.
    EVENTS_MAX_LEN: String(o.eventsMaxLen),
    JOB_RETENTION_COUNT: String(o.jobRetentionCount),
    HISTORY_RETENTION_S: String(o.historyRetentionS),
  };
}

/**
 * Workers with a bounded old space: their live heap is small, and without a limit V8 lets the heap
 * grow with the work done before collecting it (docs/performance.md, worker memory).
 */
export function projectWorkerEnv(heapMb: number): Record<string, string> {
  return heapMb > 0 ? { NODE_OPTIONS: `--max-old-space-size=${heapMb}` } : {};
}

/**
 * The production setting docs/production.md, "Redis durability" recommends: records (with their
 * ~300-byte invoice) stay listpack-encoded, about half the memory of a hashtable.
 */
export function redisArgsFor(hashMaxListpackValue: number): string[] {
  return hashMaxListpackValue > 0 ? ['--hash-max-listpack-value', String(hashMaxListpackValue)] : [];
}
