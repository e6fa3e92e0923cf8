import { randomUUID } from 'node:crypto';

/** Every character an id may hold besides letters and digits. */
const PUNCTUATION = '._:-';

/**
 * A fresh id of the longest length there is (128) using every punctuation character ids allow, as
 * a path segment or a command-line argument must carry it. `start` leads it (ids may start with "-").
 */
export function longId(start = 'L'): string {
  const id = `${start}${PUNCTUATION}${randomUUID()}`.padEnd(128, `${PUNCTUATION}aZ9`);
  if (!/^[A-Za-z0-9._:-]{128}$/.test(id)) throw new Error(`longId: ${id} is not a 128-character id`);
  return id;
}
