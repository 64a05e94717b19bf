/**
 * Behind a reverse proxy that `server.trustProxy` does not name, every client has the proxy's
 * address: 30 wrong passwords anywhere lock everyone out of signing in from a new browser, and
 * all logistics firms share one public-API budget. The server cannot tell that from the config;
 * it can see the proxy's X-Forwarded-For arriving unheeded. It says so in the log (at the first
 * such request, then hourly) and in `/api/health`'s warnings, naming the setting.
 */
import type { NextFunction, Request, Response } from 'express';
import type { Log } from './log.js';

const REPEAT_MS = 3_600_000;

export const UNTRUSTED_PROXY_WARNING =
  'requests carry X-Forwarded-For but server.trustProxy is not set: every client counts as the proxy\'s address ' +
  '(sign-in limits and the public API rate limit are shared by all); name the proxy in server.trustProxy (docs/dashboard.md)';

export class ProxyWatch {
  private seen = 0;
  private loggedAtMs = -Infinity;

  constructor(
    private readonly trustProxy: boolean | readonly string[],
    private readonly log: Log,
    private readonly now: () => number = Date.now,
  ) {}

  readonly middleware = (req: Request, _res: Response, next: NextFunction): void => {
    if (this.trustProxy === false && req.headers['x-forwarded-for'] !== undefined) {
      this.seen++;
      const t = this.now();
      if (t - this.loggedAtMs >= REPEAT_MS) {
        this.loggedAtMs = t;
        this.log.warn({ peer: req.socket.remoteAddress, requests: this.seen }, UNTRUSTED_PROXY_WARNING);
      }
    }
    next();
  };

  warnings(): string[] {
    return this.seen > 0 ? [UNTRUSTED_PROXY_WARNING] : [];
  }
}
