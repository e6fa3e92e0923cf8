/** The body went past the byte limit while it was being read. */
export class BodyTooLargeError extends Error {
  override name = 'BodyTooLargeError';
  readonly code = 'payload_too_large';
  constructor(readonly limitBytes: number) {
    super(`the body is larger than ${limitBytes} bytes`);
  }
}

/**
 * Passes chunks through until more than `limitBytes` have gone by, then throws. Streamed bodies
 * need this: fastify enforces `bodyLimit` only on the bodies it buffers itself.
 */
export async function* limitBytes(source: AsyncIterable<Uint8Array | string>, limit: number): AsyncGenerator<Uint8Array | string> {
  let seen = 0;
  for await (const chunk of source) {
    seen += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength;
    if (seen > limit) throw new BodyTooLargeError(limit);
    yield chunk;
  }
}
