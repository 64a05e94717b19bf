/**
 * Slows down password guessing. Four counts of failed sign-ins within 15 minutes, each holding
 * its key back until its oldest failure leaves the window:
 *
 * - one username from one address, 5 (MAX_FAILURES): the guesser at a desk; a browser with the
 *   user's device cookie is counted apart, so that a guesser beside the officer cannot lock out
 *   the officer's own browser;
 * - one address, any usernames, 30 (ADDRESS_MAX_FAILURES): a guesser rotating usernames would
 *   otherwise cost the server one scrypt per request without end;
 * - one username, any addresses, 20 (USERNAME_MAX_FAILURES): a guesser with many addresses (a
 *   botnet, a pool of proxies) would otherwise get 5 guesses per address;
 * - one address, whatever the attempt, 100 (ADDRESS_HARD_MAX_FAILURES).
 *
 * So that neither a guesser elsewhere nor colleagues behind the crossing's one router lock an
 * officer out, Auth lets a browser with the user's device cookie, or an address where the user
 * signed in before, pass the second and the third; the first and the hard limit still apply.
 * An attempt counts from the moment it is checked, before its password is: guesses sent all at
 * once are counted as they arrive, not when their scrypt ends. A good password forgives it.
 */
const MAX_FAILURES = 5;
/** Failed sign-ins from one address, any usernames, within the window: a crossing's office behind one NAT stays far below it. */
export const ADDRESS_MAX_FAILURES = 30;
/**
 * Failed sign-ins from one address within the window, whoever tries: what bounds the guesses at
 * an address where several users signed in before (each passes the 30), such as an office.
 */
export const ADDRESS_HARD_MAX_FAILURES = 100;
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

/** One sign-in attempt as the limits see it. */
export interface Attempt {
  username: string;
  /** The client's key (clientAddress.ts): an IPv4 address or an IPv6 /64. */
  address: string;
  /** It carries a device cookie this server made for `username`. */
  device: boolean;
  /** `username` signed in from `address` within KnownAddresses' memory. */
  knownAddress: boolean;
}

/**
 * The four counts together, as the sign-in route applies them (see the top of this file): what
 * an attempt must wait, and what its failure or success does to each count.
 */
export class SignInLimits {
  private readonly perPlace: LoginThrottle;
  private readonly perAddress: LoginThrottle;
  private readonly perAddressHard: LoginThrottle;
  private readonly perUsername: LoginThrottle;

  constructor(now: () => number = Date.now) {
    this.perPlace = new LoginThrottle(now);
    this.perAddress = new LoginThrottle(now, ADDRESS_MAX_FAILURES);
    this.perAddressHard = new LoginThrottle(now, ADDRESS_HARD_MAX_FAILURES);
    this.perUsername = new LoginThrottle(now, USERNAME_MAX_FAILURES);
  }

  /** Seconds to wait before this attempt may be checked; 0 when it may. */
  retryAfterS(a: Attempt): number {
    const trusted = a.device || a.knownAddress;
    return Math.max(
      this.perPlace.retryAfterS(placeKey(a)),
      trusted ? 0 : this.perAddress.retryAfterS(a.address),
      trusted ? 0 : this.perUsername.retryAfterS(a.username),
      this.perAddressHard.retryAfterS(a.address),
    );
  }

  /** Counts the attempt as failed: called before its password is checked. */
  failed(a: Attempt): void {
    this.perPlace.failed(placeKey(a));
    this.perAddress.failed(a.address);
    this.perAddressHard.failed(a.address);
    this.perUsername.failed(a.username);
  }

  /**
   * Its password was right: its place starts afresh, and only this attempt is taken back from
   * the others (a guesser holding one good account must not reset an address's count with it).
   */
  succeeded(a: Attempt): void {
    this.perPlace.succeeded(placeKey(a));
    this.perAddress.forgive(a.address);
    this.perAddressHard.forgive(a.address);
    this.perUsername.forgive(a.username);
  }
}

/** The per-username count's key: the address, and the user's own browser apart from others there. */
const placeKey = (a: Attempt): string => `${a.username}\n${a.address}${a.device ? '\ndevice' : ''}`;
