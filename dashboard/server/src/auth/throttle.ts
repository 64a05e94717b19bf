/**
 * Slows down password guessing: after 5 failed sign-ins of one username from one address
 * within 15 minutes, that pair waits until the oldest failure leaves the window. Per pair, so a
 * guesser cannot lock an officer out from another address. The same class with a larger limit
 * also holds back one address whatever usernames it tries (ADDRESS_MAX_FAILURES): a guesser
 * rotating usernames would otherwise cost the server one scrypt per request without end.
 */
const MAX_FAILURES = 5;
/** Failed sign-ins from one address, any usernames, within the window: a crossing's office behind one NAT stays far below it. */
export const ADDRESS_MAX_FAILURES = 30;
const WINDOW_MS = 15 * 60_000;
/** Bound on memory under a flood of made-up usernames. */
const MAX_KEYS = 10_000;

export class LoginThrottle {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly now: () => number = Date.now,
    private readonly maxFailures: number = MAX_FAILURES,
  ) {}

  /** Seconds to wait before trying again; 0 when allowed. */
  retryAfterS(key: string): number {
    const recent = this.recent(key);
    if (recent.length < this.maxFailures) return 0;
    return Math.max(1, Math.ceil((recent[0]! + WINDOW_MS - this.now()) / 1000));
  }

  failed(key: string): void {
    const recent = this.recent(key);
    recent.push(this.now());
    this.failures.delete(key);
    this.failures.set(key, recent.slice(-this.maxFailures));
    // Maps iterate in insertion order: the first key is the one failed longest ago.
    if (this.failures.size > MAX_KEYS) this.failures.delete(this.failures.keys().next().value!);
  }

  succeeded(key: string): void {
    this.failures.delete(key);
  }

  private recent(key: string): number[] {
    const t = this.now();
    return (this.failures.get(key) ?? []).filter((at) => t - at < WINDOW_MS);
  }
}
