/** Request counting per provider, route and answer, for tests. */
import type { SandboxProvider } from './ledger.ts';

/**
 * provider → route (e.g. "POST /api/bln/withdraw") → answer → count.
 * The answer is the HTTP status as a string, or "hang" / "reset" when none was sent.
 */
export type RequestCounts = Record<SandboxProvider, Record<string, Record<string, number>>>;

export class RequestCounter {
  readonly #counts: RequestCounts = { aurpay: {}, turinpay: {} };

  add(provider: SandboxProvider, route: string, answer: string): void {
    const byRoute = this.#counts[provider];
    const byAnswer = byRoute[route] ?? {};
    byAnswer[answer] = (byAnswer[answer] ?? 0) + 1;
    byRoute[route] = byAnswer;
  }

  /** A deep copy; later requests do not change it. */
  snapshot(): RequestCounts {
    const copy = (m: Record<string, Record<string, number>>): Record<string, Record<string, number>> =>
      Object.fromEntries(Object.entries(m).map(([route, answers]) => [route, { ...answers }]));
    return { aurpay: copy(this.#counts.aurpay), turinpay: copy(this.#counts.turinpay) };
  }
}

/** Submits one invoice received, per provider. */
export type SubmitsFor = Record<SandboxProvider, number>;

/**
 * Submit requests per payment hash and provider: every authenticated submit of a readable invoice
 * (or address) of the right network, whatever its fault, counted before the provider acts on it.
 */
export class SubmitCounter {
  readonly #byHash = new Map<string, SubmitsFor>();

  add(provider: SandboxProvider, paymentHash: string): void {
    const key = paymentHash.toLowerCase();
    const counts = this.#byHash.get(key) ?? { aurpay: 0, turinpay: 0 };
    counts[provider] += 1;
    this.#byHash.set(key, counts);
  }

  /** A copy: zero for a provider that never received this invoice. */
  for(paymentHash: string): SubmitsFor {
    const counts = this.#byHash.get(paymentHash.toLowerCase());
    return counts ? { ...counts } : { aurpay: 0, turinpay: 0 };
  }
}
