/** The batch file as a whole cannot be read (a missing or wrong CSV header): nothing was enqueued. */
export class BatchFileError extends Error {
  override name = 'BatchFileError';
  readonly code = 'invalid_request';
}
