/**
 * Slows down password guessing. Three counts of failed sign-ins within 15 minutes, each holding
 * its key back until its oldest failure leaves the window:
 *
 * - one username from one address, 5 (MAX_FAILURES): the guesser at a desk;
 * - one address, any usernames, 30 (ADDRESS_MAX_FAILURES): a guesser rotating usernames would
 *   otherwise cost the server one scrypt per request without end;
 * - one username, any addresses, 20 (USERNAME_MAX_FAILURES): a guesser with many addresses (a
 *   botnet, a pool of proxies) would otherwise get 5 guesses per address. So that such a guesser
 *   cannot lock an officer out, Auth lets an address where the username signed in before pass
 *   this count (the other two still apply there).
 *
 * An attempt counts from the moment it is checked, before its password is: guesses sent all at
 * once are counted as they arrive, not when their scrypt ends. A good password forgives it.
 */
const MAX_FAILURES = 5;
/** Failed sign-ins from one address, any usernames, within the window: a crossing's office behind one NAT stays far below it. */
export const ADDRESS_MAX_FAILURES = 30;
/** Failed sign-ins of one username, from any addresses, within the window. */
export const USERNAME_MAX_FAILURES = 20;
export const WINDOW_MS = 15 * 60_000;
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
    // Allowed again once fewer than maxFailures are left in the window.
    return Math.max(1, Math.ceil((recent[recent.length - this.maxFailures]! + WINDOW_MS - this.now()) / 1000));
  }

  failed(key: string): void {
    const recent = this.recent(key);
    recent.push(this.now());
    this.failures.delete(key);
    // One more than the limit: a sign-in that turns out good is taken back by forgive(), which
    // must leave the list as it was, not one short (the oldest dropped here would be lost).
    this.failures.set(key, recent.slice(-(this.maxFailures + 1)));
    // Maps iterate in insertion order: the first key is the one failed longest ago.
    if (this.failures.size > MAX_KEYS) this.failures.delete(this.failures.keys().next().value!);
  }

  /** Takes back the latest failure: an attempt counted before its password proved good. */
  forgive(key: string): void {
    const list = this.failures.get(key);
    list?.pop();
    if (list?.length === 0) this.failures.delete(key);
  }

  succeeded(key: string): void {
    this.failures.delete(key);
  }

  private recent(key: string): number[] {
    const t = this.now();
    return (this.failures.get(key) ?? []).filter((at) => t - at < WINDOW_MS);
  }
}

/** Where each username signed in, most recent last; bounded like the throttles. */
export class KnownAddresses {
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly now: () => number = Date.now,
    private readonly forgetAfterMs = 30 * 24 * 3_600_000,
  ) {}

  add(username: string, address: string): void {
    const key = `${username}\n${address}`;
    this.seen.delete(key);
    this.seen.set(key, this.now());
    if (this.seen.size > MAX_KEYS) this.seen.delete(this.seen.keys().next().value!);
  }

  has(username: string, address: string): boolean {
    const at = this.seen.get(`${username}\n${address}`);
    return at !== undefined && this.now() - at < this.forgetAfterMs;
  }
}
