/**
 * A Lua script's calling convention, by name: its keys and arguments in the order its header lists
 * them (`-- KEYS: a, b` and `-- ARGV: x, y`; a script that takes many items says `per item`). Calls
 * are built from objects keyed by those names, so a call can neither miss nor swap one, and a test
 * holds every header to its layout.
 */
export interface ScriptLayout<K extends string, A extends string> {
  /** The script's file in src/withdrawals/lua/. */
  readonly file: string;
  readonly keys: readonly K[];
  readonly args: readonly A[];
  /** The keys and arguments repeat once per item (the script takes any number of items). */
  readonly perItem: boolean;
}

export function scriptLayout<const K extends string, const A extends string>(
  file: string,
  keys: readonly K[],
  args: readonly A[],
  opts: { perItem?: boolean } = {},
): ScriptLayout<K, A> {
  return { file, keys, args, perItem: opts.perItem ?? false };
}

export type ScriptValue = string | number;

/** The keys, in the header's order. */
export function keysOf<K extends string>(layout: ScriptLayout<K, string>, keys: Readonly<Record<K, string>>): string[] {
  return layout.keys.map((k) => keys[k]);
}

/** The arguments, in the header's order. */
export function argsOf<A extends string>(layout: ScriptLayout<string, A>, args: Readonly<Record<A, ScriptValue>>): ScriptValue[] {
  return layout.args.map((a) => args[a]);
}

/** One call's keys then arguments, for a script of one item (ioredis takes its numberOfKeys from the definition). */
export function callOf<K extends string, A extends string>(
  layout: ScriptLayout<K, A>,
  keys: Readonly<Record<K, string>>,
  args: Readonly<Record<A, ScriptValue>>,
): ScriptValue[] {
  return [...keysOf(layout, keys), ...argsOf(layout, args)];
}
