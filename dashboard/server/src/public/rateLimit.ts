/**
 * A token bucket per client address: `perMinute` requests in a burst, refilled evenly over a
 * minute. Over the limit: 429 with Retry-After (seconds until one request is allowed again).
 */
import type { NextFunction, Request, Response } from 'express';
import { RateLimited } from '../errors.js';
import { clientKey } from '../clientAddress.js';

/** Bound on memory under a flood of addresses: full buckets are forgotten first. */
const MAX_CLIENTS = 50_000;

export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; atMs: number }>();
  private readonly perMs: number;

  constructor(
    private readonly perMinute: number,
    private readonly now: () => number = Date.now,
  ) {
    this.perMs = perMinute / 60_000;
  }

  /** 0 when allowed (and counted), else ms until one more request is allowed. */
  take(client: string): number {
    const t = this.now();
    const b = this.buckets.get(client) ?? { tokens: this.perMinute, atMs: t };
    b.tokens = Math.min(this.perMinute, b.tokens + (t - b.atMs) * this.perMs);
    b.atMs = t;
    if (!this.buckets.has(client)) {
      if (this.buckets.size >= MAX_CLIENTS) this.forgetFull(t);
      this.buckets.set(client, b);
    }
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return Math.ceil((1 - b.tokens) / this.perMs);
  }

  readonly middleware = (req: Request, _res: Response, next: NextFunction): void => {
    const waitMs = this.take(clientKey(req.ip));
    if (waitMs === 0) return next();
    const s = Math.max(1, Math.ceil(waitMs / 1000));
    throw new RateLimited(s, `more than ${this.perMinute} requests a minute from this address; try again in ${s} s`);
  };

  private forgetFull(t: number): void {
    for (const [k, b] of this.buckets) {
      if (b.tokens + (t - b.atMs) * this.perMs >= this.perMinute) this.buckets.delete(k);
    }
    // Everyone is busy: forget the oldest half rather than grow.
    if (this.buckets.size >= MAX_CLIENTS) [...this.buckets.keys()].slice(0, MAX_CLIENTS / 2).forEach((k) => this.buckets.delete(k));
  }
}
