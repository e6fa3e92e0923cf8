/** A token bucket per provider: `perSecond` tokens of capacity, refilled continuously. */

export class TokenBucket {
  readonly #capacity: number;
  readonly #perMs: number;
  #tokens: number;
  #last: number;
  readonly #now: () => number;

  constructor(perSecond: number, now: () => number = Date.now) {
    if (!(perSecond > 0)) throw new RangeError('rateLimitPerSecond must be positive');
    this.#capacity = perSecond;
    this.#perMs = perSecond / 1000;
    this.#tokens = perSecond;
    this.#now = now;
    this.#last = now();
  }

  /** Takes a token; returns null when taken, else the whole seconds to wait (at least 1). */
  take(): number | null {
    const now = this.#now();
    this.#tokens = Math.min(this.#capacity, this.#tokens + (now - this.#last) * this.#perMs);
    this.#last = now;
    if (this.#tokens >= 1) {
      this.#tokens -= 1;
      return null;
    }
    return Math.max(1, Math.ceil((1 - this.#tokens) / this.#perMs / 1000));
  }
}
