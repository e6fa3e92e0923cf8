/** `withdrawals batch FILE`: see src/batch-file for the parsing. */
export async function batch(file: string | undefined, _opts: { wait: boolean }): Promise<number> {
  if (!file) throw new Error('usage: withdrawals batch FILE [--no-wait]');
  throw new Error('withdrawals batch is not available in this version');
}
