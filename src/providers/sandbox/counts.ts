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
