/**
 * Runs `stop` once on the first SIGTERM or SIGINT, then exits 0 (1 if stopping failed).
 * A second signal while stopping exits at once.
 */
export function stopOnSignals(stop: () => Promise<void>, log: (msg: string) => void): void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) {
      log(`${signal} again: exiting now`);
      process.exit(1);
    }
    stopping = true;
    log(`${signal}: stopping (in-flight provider calls finish first)`);
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
