/**
 * What the server can see of a reverse proxy set up wrong, said in the log (at the first sign,
 * then hourly) and in `/api/health`'s warnings while it lasts (an hour after the last sign):
 *
 * - X-Forwarded-For from a peer that `server.trustProxy` does not name: every client has that
 *   peer's address, so 30 wrong passwords anywhere hold back every sign-in from a new browser
 *   and all logistics firms share one public-API budget (or the peer is a client writing the
 *   header itself: the warning says so too);
 * - a signed-in page's socket whose Origin is not this server's origin as the browser sees it: a
 *   proxy that does not pass on Host and X-Forwarded-Proto, or is not named in trustProxy, so
 *   that officers' live views get no session (or another site's page tried an officer's cookie).
 */
import type { IncomingMessage } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import type { Log } from './log.js';

const REPEAT_MS = 3_600_000;

export const UNTRUSTED_PROXY_WARNING =
  "requests carry X-Forwarded-For from a peer that server.trustProxy does not name: if it is your reverse proxy, every client counts as the proxy's address " +
  '(sign-in limits and the public API rate limit are shared by all); name it in server.trustProxy (docs/dashboard.md, "Behind a reverse proxy")';

export const foreignOriginWarning = (origin: string, expected: string | undefined): string =>
  `a signed-in page's socket came from ${JSON.stringify(origin.slice(0, 100))} but this server's origin is ${expected ?? 'unknown (no usable Host)'}: ` +
  'the socket was given no session. Behind a reverse proxy, pass on Host and X-Forwarded-Proto and name it in server.trustProxy ' +
  '(docs/dashboard.md, "Behind a reverse proxy"); otherwise another site\'s page tried an officer\'s cookie';

interface Sign {
  lastMs: number;
  loggedMs: number;
  count: number;
}

export class ProxyWatch {
  private readonly signs = new Map<string, Sign>();

  constructor(
    private readonly log: Log,
    private readonly now: () => number = Date.now,
  ) {}

  /** `trusted`: whether a request's peer is a proxy server.trustProxy names (server.ts). */
  middleware(trusted: (req: IncomingMessage) => boolean) {
    return (req: Request, _res: Response, next: NextFunction): void => {
      if (req.headers['x-forwarded-for'] !== undefined && !trusted(req)) this.saw('proxy', UNTRUSTED_PROXY_WARNING, { peer: req.socket.remoteAddress });
      next();
    };
  }

  foreignOrigin(origin: string, expected: string | undefined): void {
    this.saw('origin', foreignOriginWarning(origin, expected), {});
  }

  /** The warnings whose last sign is within the hour. */
  warnings(): string[] {
    const t = this.now();
    return [...this.signs.entries()].filter(([, s]) => t - s.lastMs < REPEAT_MS).map(([w]) => w);
  }

  private saw(kind: string, warning: string, details: object): void {
    const t = this.now();
    let sign = this.signs.get(warning);
    if (!sign) {
      // Bounded: an origin per warning, and origins are the sender's to choose.
      if (this.signs.size >= 20) this.signs.delete(this.signs.keys().next().value!);
      this.signs.set(warning, (sign = { lastMs: t, loggedMs: -Infinity, count: 0 }));
    }
    sign.lastMs = t;
    sign.count++;
    if (t - sign.loggedMs < REPEAT_MS) return;
    sign.loggedMs = t;
    this.log.warn({ kind, ...details, times: sign.count }, warning);
  }
}
