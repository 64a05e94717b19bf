/**
 * What every answer gets: security headers, the X-GateWatch header on state-changing requests,
 * bodies bounded in size, JSON errors, and the built web app with its index.html for the app's
 * own routes.
 */
import { isUtf8 } from 'node:buffer';
import { existsSync } from 'node:fs';
import type { Duplex } from 'node:stream';
import { join, resolve, sep } from 'node:path';
import compression from 'compression';
import express, { type ErrorRequestHandler, type NextFunction, type Request, type Response } from 'express';
import { BodyError, HttpError, RateLimited } from './errors.js';
import type { Guard } from './guard.js';

/**
 * Scripts, styles, fonts, images and the socket.io connection from this origin only ('self'
 * covers ws:/wss: to the same host in CSP 3). Inline styles: React and recharts set style
 * attributes. No framing (clickjacking of the sign-in).
 */
export const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** The headers of every answer, socket.io's included (live/sockets.ts). */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': CSP,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
  // No other site may embed an answer (a CSV, a JSON) as an image, script or the like.
  'Cross-Origin-Resource-Policy': 'same-origin',
};

/** A year: browsers that saw it once go on asking for https only. */
export const HSTS = 'max-age=31536000';

/**
 * SECURITY_HEADERS on every answer; Strict-Transport-Security when TLS is declared
 * (server.secureCookies) or the request came over https (req.secure: from a trusted proxy only).
 */
export function securityHeaders(tls: boolean) {
  return (req: Request, res: Response, next: NextFunction): void => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
    if (tls || req.secure) res.setHeader('Strict-Transport-Security', HSTS);
    next();
  };
}

/** Answers for one user (sign-in, history, exports): kept by no cache, shared or the browser's. */
export function noStore(_req: Request, res: Response, next: NextFunction): void {
  res.setHeader('Cache-Control', 'no-store');
  next();
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** A cross-site form or image cannot set a custom header: requiring one stops request forgery. */
export function requireGateWatchHeader(req: Request, res: Response, next: NextFunction): void {
  if (SAFE_METHODS.has(req.method) || req.headers['x-gatewatch'] === '1') return next();
  // Checked before the body is read: a forged request's body is never read (closeAfter).
  closeAfter(res);
  throw new HttpError(403, 'MISSING_HEADER', 'requests that change something must carry the header X-GateWatch: 1');
}

/** The largest request body: a sign-in is well under 2 kB. */
export const BODY_LIMIT_BYTES = 16 * 1024;

/**
 * Ends the connection after the answer: the rest of the request body is never read (Node would
 * otherwise read it all to keep the connection alive, however large it is).
 */
function closeAfter(res: Response): void {
  if (!res.headersSent) res.setHeader('Connection', 'close');
}

/**
 * Any request with a body declared larger than the limit: 413 at once, without reading it.
 * Before everything else, so that no route's request can be made to read a gigabyte.
 */
export function declaredBodyLimit(req: Request, res: Response, next: NextFunction): void {
  const declared = req.headers['content-length'];
  if (declared === undefined || Number(declared) <= BODY_LIMIT_BYTES) return next();
  closeAfter(res);
  throw new BodyError(413, `the request body may be at most ${BODY_LIMIT_BYTES} bytes`);
}

/**
 * Express's JSON reader, bounded: it refuses a declared size over the limit before reading a
 * byte and stops a chunked body at the limit; strict (an object or a list); compressed bodies
 * refused (no gzip bomb); any content type read as JSON, so that one that is not is refused below
 * rather than left unread.
 */
const readJson = express.json({
  limit: BODY_LIMIT_BYTES,
  strict: true,
  inflate: false,
  type: () => true,
  // Bytes that are not UTF-8 would be read with U+FFFD in their place: refused instead (415).
  verify: (_req, _res, buf) => {
    if (!isUtf8(buf)) throw Object.assign(new Error('not UTF-8'), { type: 'encoding.not.utf8' });
  },
});

/** The charset a Content-Type names, lower case, or undefined. */
function charsetOf(contentType: string | undefined): string | undefined {
  const m = /;\s*charset\s*=\s*"?([^";\s]*)/i.exec(contentType ?? '');
  return m ? m[1]!.toLowerCase() : undefined;
}

/**
 * The JSON body of an API request as req.body. Not JSON, not UTF-8 or compressed: 415; past the
 * limit: 413; malformed: 400. A refused body's connection closes after the answer, so that the
 * rest of it is never read. Safe methods' bodies are not read.
 */
export function jsonBody(req: Request, res: Response, next: NextFunction): void {
  const hasBody = req.headers['transfer-encoding'] !== undefined || (req.headers['content-length'] ?? '0') !== '0';
  if (SAFE_METHODS.has(req.method) || !hasBody) return next();
  if (!req.is('application/json')) {
    closeAfter(res);
    return next(new BodyError(415, 'send the body as JSON (Content-Type: application/json), not compressed'));
  }
  // Express's reader would decode UTF-16 too (charset=utf-16le); JSON here is UTF-8 (RFC 8259).
  const charset = charsetOf(req.headers['content-type']);
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
    closeAfter(res);
    return next(new BodyError(415, 'send the body as JSON in UTF-8 (charset=utf-8 or none), not compressed'));
  }
  readJson(req, res, (error?: unknown) => {
    if (error === undefined) return next();
    closeAfter(res);
    const type = (error as { type?: string }).type;
    if (type === 'entity.too.large') next(new BodyError(413, `the request body may be at most ${BODY_LIMIT_BYTES} bytes`));
    else if (type === 'encoding.unsupported' || type === 'charset.unsupported' || type === 'encoding.not.utf8') next(new BodyError(415, 'send the body as JSON in UTF-8, not compressed'));
    else next(new BodyError(400, 'the request body is not valid JSON (an object)'));
  });
}

export function apiNotFound(req: Request): never {
  throw new HttpError(404, 'NOT_FOUND', `no such API: ${req.method} ${req.path}`);
}

/**
 * What nothing else answered (a POST to a page): JSON with the same headers, not Express's own
 * page; a body sent along is not read (closeAfter).
 */
export function notFound(req: Request, res: Response): never {
  if (!SAFE_METHODS.has(req.method)) closeAfter(res);
  throw new HttpError(404, 'NOT_FOUND', `nothing here for ${req.method} ${req.path}`);
}

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/**
 * Names the part of the app a request reached, for the error counts: `mount(path)` before a
 * router, and the route's own pattern when one matched. Never the request's own path: every
 * made-up path would be a new name.
 */
export function mount(path: string) {
  return (_req: Request, res: Response, next: NextFunction): void => {
    res.locals['mount'] = path;
    next();
  };
}

export function handlerName(req: Request, res: Response): string {
  const method = METHODS.has(req.method) ? req.method : 'OTHER';
  const base = typeof res.locals['mount'] === 'string' ? res.locals['mount'] : '';
  const route = (req.route as { path?: unknown } | undefined)?.path;
  if (typeof route === 'string') return `${method} ${base}${route}`;
  return base ? `${method} ${base}/*` : `${method} (static or unmatched)`;
}

/**
 * The REST side of the handler guard (guard.ts): Express 5 hands this every error a route or
 * middleware throws or rejects with. It answers `{"error":{"code","message"}}` with the error's
 * status (Retry-After with a 429), counts it under the route's name and logs it; a bug is a 500
 * whose message stays in the log.
 */
/** Headers that describe a successful answer's body; Content-Range stays (a 416 says the file's size). */
const ANSWER_HEADERS = ['Content-Type', 'Content-Length', 'Content-Disposition', 'ETag', 'Last-Modified', 'Cache-Control', 'Accept-Ranges', 'X-GateWatch-Resolution'];

/**
 * HTTP/1.1 requests must name their host (RFC 9112): Node refuses those that do not with a bare
 * 400 of its own, before any handler (no headers, no body, not counted); the server is told not
 * to (`requireHostHeader: false`) and refuses them here like any other bad request.
 */
export function requireHost(req: Request, _res: Response, next: NextFunction): void {
  if (req.headers.host === undefined && req.httpVersion !== '1.0') throw new HttpError(400, 'BAD_REQUEST', 'the request has no Host header');
  next();
}

export function errorHandler(guard: Guard): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    const answer = guard.failed(handlerName(req, res), error);
    if (res.headersSent) {
      // Mid-answer (a CSV being streamed): the client must not take a cut answer for a whole one.
      res.destroy();
      return;
    }
    // What a route or the static files had set for the answer it meant to give (a file's type,
    // ETag and an hour of caching on a 412 or 416) must not describe the error.
    for (const name of ANSWER_HEADERS) res.removeHeader(name);
    res.setHeader('Cache-Control', 'no-store');
    if (error instanceof RateLimited) res.setHeader('Retry-After', String(error.retryAfterS));
    res.status(answer.status).json({ error: { code: answer.code, message: answer.message } });
  };
}

const NOT_BUILT = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>GateWatch</title></head>
<body><h1>GateWatch</h1><p>The web app is not built. Run <code>pnpm --filter @gatewatch/web run build</code> and restart the dashboard.</p>
<p>The API answers under <a href="/api/v1/openapi.json">/api/v1</a>.</p></body></html>`;

/** A URL path as a file server decodes it; one it cannot decode as it is (the file server refuses it). */
function decodedPath(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

/** The built web app; index.html for any other GET (the app's own routes), or a page saying it is not built. */
/**
 * How long a browser keeps a file of the app: index.html is asked for again each time (it names
 * the scripts of the current build); the build's files under assets/ carry a hash of their
 * content in their names, so a new build has new names and these never change: a year, immutable.
 */
export const IMMUTABLE = 'public, max-age=31536000, immutable';

function cacheHeaders(root: string): (res: Response, path: string) => void {
  const assets = join(root, 'assets') + sep;
  return (res, path) => {
    if (path.endsWith('index.html')) res.setHeader('Cache-Control', 'no-cache');
    else if (path.startsWith(assets)) res.setHeader('Cache-Control', IMMUTABLE);
  };
}

export function staticApp(dir: string | undefined): express.RequestHandler[] {
  const root = dir === undefined ? undefined : resolve(dir);
  if (root === undefined || !existsSync(join(root, 'index.html'))) {
    return [
      (req, res, next) => {
        if (req.method !== 'GET' && req.method !== 'HEAD') return next();
        res.status(req.path === '/' ? 200 : 404).type('html').send(NOT_BUILT);
      },
    ];
  }
  return [
    // The app's files compressed (brotli or gzip, as the browser accepts): the main script is
    // 220 kB as built, about a quarter of it compressed, over a crossing's slow link. Only
    // successful answers: an error's JSON stays as every client reads it.
    compression({ filter: (req, res) => res.statusCode === 200 && compression.filter(req, res) }),
    // Source maps are not for the public, even when a build made them (vite build --sourcemap).
    // Decoded as the static server decodes it (`.m%61p`), and in any case (`.MAP` on a disk that ignores case).
    (req, _res, next) => (/\.map$/i.test(decodedPath(req.path)) ? next(new HttpError(404, 'NOT_FOUND', `nothing here for ${req.method} ${req.path}`)) : next()),
    // No redirect of a folder to its slash (a 301 with an HTML body): the app's own routes answer.
    express.static(root, { index: 'index.html', fallthrough: true, redirect: false, maxAge: '1h', setHeaders: cacheHeaders(root) }),
    (req, res, next) => {
      if (req.method !== 'GET' && req.method !== 'HEAD') return next();
      res.setHeader('Cache-Control', 'no-cache');
      res.sendFile(join(root, 'index.html'));
    },
  ];
}

const REASONS: Readonly<Record<number, string>> = { 400: 'Bad Request', 408: 'Request Timeout', 431: 'Request Header Fields Too Large' };

/**
 * Requests Node's HTTP parser refuses before Express sees them (a URL or headers over 16 kB,
 * bytes that are not HTTP, a client too slow with its request): answered like every other
 * error, with the security headers and a JSON body, and counted. Node's own answers carried only
 * `Connection: close`. A connection whose answer has begun is cut instead.
 */
export function clientErrorHandler(guard: Guard) {
  return (error: Error & { code?: string }, socket: Duplex): void => {
    const inProgress = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent === true;
    if (error.code === 'ECONNRESET' || !socket.writable || inProgress) {
      socket.destroy();
      return;
    }
    const status = error.code === 'HPE_HEADER_OVERFLOW' ? 431 : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
    const code = status === 431 ? 'HEADERS_TOO_LARGE' : status === 408 ? 'REQUEST_TIMEOUT' : 'BAD_REQUEST';
    const message =
      status === 431
        ? 'the URL and headers may be at most 16 kB'
        : status === 408
          ? 'the request took too long to arrive (headers within 20 s, the whole request within 30 s)'
          : 'the request is not valid HTTP';
    guard.refused('http parser', { status, code, message, internal: false });
    const body = JSON.stringify({ error: { code, message } });
    const headers = { ...SECURITY_HEADERS, 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': String(Buffer.byteLength(body)), Connection: 'close' };
    // Closed once written: a client that never closes its side must not hold the connection.
    socket.end(`HTTP/1.1 ${status} ${REASONS[status]}\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n${body}`, () => socket.destroy());
  };
}
