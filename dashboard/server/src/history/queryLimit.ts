/**
 * History queries per signed-in user: a rate (a token bucket a minute) and a number running at
 * once, with a short line behind it. Fifty heavy queries sent ten at a time by one user (30-day
 * percentiles, 10-year CSVs, 366-day heat maps) held `/api/health` at 318 ms (p95, from 4.5):
 * every officer's and manager's page shared that wait. A manager's page asks for three or four
 * panels at once, which the line absorbs; more than that waiting is refused with 429.
 */
import type { Response } from 'express';
import { RateLimited } from '../errors.js';
import { RateLimiter } from '../public/rateLimit.js';

export interface QueryLimits {
  /** Queries a minute per user (also the burst). */
  perMinute: number;
  /** Running at once per user. */
  running: number;
  /** Waiting for one of those per user; beyond, 429. */
  waiting: number;
}

export const QUERY_LIMITS: QueryLimits = { perMinute: 60, running: 2, waiting: 6 };

export class UserQueryLimit {
  private readonly rate: RateLimiter;
  private readonly running = new Map<string, number>();
  private readonly waiting = new Map<string, (() => void)[]>();

  constructor(
    private readonly limits: QueryLimits = QUERY_LIMITS,
    now?: () => number,
  ) {
    this.rate = new RateLimiter(limits.perMinute, now);
  }

  /**
   * Runs `query` in one of the user's slots, waiting for one in line if both are taken. The slot
   * is held until the query settles, not until the client goes: a client that asks and hangs up
   * must not get a fresh slot while its query still runs at InfluxDB. Called once a request's
   * parameters and rights are checked: a refused request costs nothing and counts nothing.
   * Throws RateLimited past the rate or the line; a client that leaves while in line is never
   * run (undefined).
   */
  async run<T>(user: string, res: Response, query: () => Promise<T>): Promise<T | undefined> {
    const waitMs = this.rate.take(user);
    if (waitMs > 0) {
      const s = Math.max(1, Math.ceil(waitMs / 1000));
      throw new RateLimited(s, `more than ${this.limits.perMinute} history queries a minute; try again in ${s} s`);
    }
    if ((this.running.get(user) ?? 0) >= this.limits.running) {
      const line = this.waiting.get(user) ?? [];
      if (line.length >= this.limits.waiting) {
        throw new RateLimited(2, `${this.limits.running} history queries of yours are running and ${line.length} waiting; try again when they are done`, 'TOO_BUSY');
      }
      this.waiting.set(user, line);
      const stillThere = await new Promise<boolean>((resolve) => {
        const turn = (): void => resolve(true);
        line.push(turn);
        // A client that gives up while waiting leaves the line, and its query is never sent.
        res.once('close', () => {
          const i = line.indexOf(turn);
          if (i < 0) return;
          line.splice(i, 1);
          if (line.length === 0 && this.waiting.get(user) === line) this.waiting.delete(user);
          resolve(false);
        });
      });
      if (!stillThere) return undefined;
    }
    this.running.set(user, (this.running.get(user) ?? 0) + 1);
    try {
      return await query();
    } finally {
      this.release(user);
    }
  }

  /** Queries running and waiting now, per user (tests, health). */
  load(user: string): { running: number; waiting: number } {
    return { running: this.running.get(user) ?? 0, waiting: this.waiting.get(user)?.length ?? 0 };
  }

  private release(user: string): void {
    const n = (this.running.get(user) ?? 1) - 1;
    if (n > 0) this.running.set(user, n);
    else this.running.delete(user);
    const line = this.waiting.get(user);
    const next = line?.shift();
    if (line?.length === 0) this.waiting.delete(user);
    next?.();
  }
}
