interface Pending<T, R> {
  item: T;
  resolve(result: R): void;
  reject(err: unknown): void;
}

/**
 * Gathers the calls made in one turn of the event loop (or `max` of them, whichever comes first)
 * into one call of `run`, which answers one result per item, in order. Each caller still gets its
 * own result, or the error of the call its item travelled in.
 */
export function coalesce<T, R>(run: (items: T[]) => Promise<R[]>, max: number): (item: T) => Promise<R> {
  let pending: Pending<T, R>[] = [];
  const flush = async (): Promise<void> => {
    const batch = pending;
    pending = [];
    if (batch.length === 0) return;
    try {
      const results = await run(batch.map((p) => p.item));
      if (results.length !== batch.length) throw new Error(`coalesced call answered ${results.length} results for ${batch.length} items`);
      batch.forEach((p, i) => p.resolve(results[i] as R));
    } catch (err) {
      for (const p of batch) p.reject(err);
    }
  };
  return (item) =>
    new Promise<R>((resolve, reject) => {
      pending.push({ item, resolve, reject });
      if (pending.length === 1) setImmediate(() => void flush());
      else if (pending.length >= max) void flush();
    });
}
