/**
 * The one error a BOLT11 decode (or encode) throws. Callers classify by `code`,
 * never by message; the message says what is wrong for the person reading it.
 */
export class InvoiceError extends Error {
  readonly code = 'invalid_invoice' as const;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'InvoiceError';
  }
}
