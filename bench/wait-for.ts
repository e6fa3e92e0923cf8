/** Polls until a check answers, failing early when one of the watched child processes has exited. */
import type { BenchChild } from './processes.ts';

export async function waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs: number, child?: BenchChild[]): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check().catch(() => undefined);
    if (v !== undefined) return v;
    for (const c of child ?? []) if (c.process.exitCode !== null) throw new Error(`${c.name} exited: ${c.tail()}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
