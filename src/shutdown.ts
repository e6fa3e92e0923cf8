/**
 * Pieces of a bounded shutdown: what is in flight with the providers, and waits that end at a
 * deadline instead of whenever Redis comes back.
 */
import type { ProviderClients } from './providers/registry.ts';
import type { ProviderClient } from './providers/types.ts';

/** Provider calls in flight in this process. */
export interface InFlight {
  count(): number;
  track<T>(call: Promise<T>): Promise<T>;
  /** Resolves once no call is in flight (at once when none is). */
  idle(): Promise<void>;
}

export function createInFlight(): InFlight {
  let count = 0;
  let waiters: (() => void)[] = [];
  const settled = () => {
    count--;
    if (count > 0) return;
    const ready = waiters;
    waiters = [];
    for (const w of ready) w();
  };
  return {
    count: () => count,
    track(call) {
      count++;
      call.then(settled, settled);
      return call;
    },
    idle: () => (count === 0 ? Promise.resolve() : new Promise<void>((resolve) => waiters.push(resolve))),
  };
}

/** The same clients, each submit and lookup counted in `inFlight`. */
export function trackCalls(clients: ProviderClients, inFlight: InFlight): ProviderClients {
  const tracked: ProviderClients = {};
  for (const [name, client] of Object.entries(clients) as [keyof ProviderClients, ProviderClient | undefined][]) {
    if (!client) continue;
    tracked[name] = {
      name: client.name,
      submit: (request) => inFlight.track(client.submit(request)),
      lookup: (request) => inFlight.track(client.lookup(request)),
    };
  }
  return tracked;
}

/** A timer that does not keep the process alive, and can be cancelled. */
export function delay(ms: number): { done: Promise<void>; cancel(): void } {
  let timer: NodeJS.Timeout | undefined;
  const done = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
    timer.unref();
  });
  return { done, cancel: () => clearTimeout(timer) };
}

/**
 * Waits for every named step until all have settled or `deadline` resolves, whichever comes first.
 * Returns the names of the steps still unsettled (given up on). A step that failed before the
 * deadline goes to `failed`; one given up on may fail later (its connection dropped) unreported.
 */
export async function settleBy(steps: Record<string, Promise<unknown>>, deadline: Promise<unknown>, failed: (step: string, err: unknown) => void): Promise<string[]> {
  const pending = new Set(Object.keys(steps));
  const all = Promise.all(
    Object.entries(steps).map(([name, p]) =>
      p.then(
        () => pending.delete(name),
        (err: unknown) => {
          if (pending.delete(name)) failed(name, err);
        },
      ),
    ),
  );
  await Promise.race([all, deadline]);
  const left = [...pending];
  pending.clear();
  return left;
}
