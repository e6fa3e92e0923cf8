/** A physical line of a streamed text body, numbered from 1, without its `\n` or `\r\n`. */
export type Line = { number: number; text: string; tooLong: false } | { number: number; text: ''; tooLong: true };

/**
 * Splits a byte (or text) stream into lines as it arrives, so the body is never held whole.
 * UTF-8 is decoded across chunk boundaries and a leading byte order mark is dropped. A line longer
 * than `maxLineChars` is reported as `tooLong` (its text discarded) instead of growing without bound.
 */
export async function* splitLines(source: AsyncIterable<Uint8Array | string>, maxLineChars: number): AsyncGenerator<Line> {
  const decoder = new TextDecoder('utf-8');
  let pending = '';
  let skipping = false;
  let number = 0;

  function* take(text: string): Generator<Line> {
    let start = 0;
    for (;;) {
      const nl = text.indexOf('\n', start);
      if (nl === -1) break;
      number++;
      if (skipping) {
        skipping = false;
        yield { number, text: '', tooLong: true };
      } else {
        const line = pending + text.slice(start, nl);
        pending = '';
        if (line.length > maxLineChars) yield { number, text: '', tooLong: true };
        else yield { number, text: line.endsWith('\r') ? line.slice(0, -1) : line, tooLong: false };
      }
      start = nl + 1;
    }
    if (skipping) return;
    pending += text.slice(start);
    if (pending.length > maxLineChars) {
      pending = '';
      skipping = true;
    }
  }

  for await (const chunk of source) {
    yield* take(typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true }));
  }
  yield* take(decoder.decode());
  if (skipping) yield { number: number + 1, text: '', tooLong: true };
  else if (pending.length > 0) yield { number: number + 1, text: pending.endsWith('\r') ? pending.slice(0, -1) : pending, tooLong: false };
}
