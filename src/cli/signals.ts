export interface StopOptions {
  /**
   * Last resort: exit 1 when stopping has not ended this long after the signal. The steps of a stop
   * have their own bounds; this only catches a wait that escaped them. @defaultValue none
   */
  deadlineMs?: number;
}

/**
 * Runs `stop` once on the first SIGTERM or SIGINT, then exits 0 (1 if stopping failed or overran
 * `deadlineMs`). A second signal while stopping exits at once.
 */
export function stopOnSignals(stop: () => Promise<void>, log: (msg: string) => void, opts: StopOptions = {}): void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) {
      log(`${signal} again: exiting now`);
      process.exit(1);
    }
    stopping = true;
    log(`${signal}: stopping (in-flight provider calls finish first)`);
    if (opts.deadlineMs !== undefined) {
      const ms = opts.deadlineMs;
      setTimeout(() => {
        log(`shutdown: still not stopped ${ms} ms after ${signal}; exiting now`);
        process.exit(1);
      }, ms);
    }
    stop().then(
      () => process.exit(0),
      (err: unknown) => {
        log(`stop failed: ${err instanceof Error ? err.message : String(err)}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
}
