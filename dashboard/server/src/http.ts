/**
 * What every answer gets: security headers, the X-GateWatch header on state-changing requests,
 * bodies bounded in size, JSON errors, and the built web app with its index.html for the app's
 * own routes.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import express, { type ErrorRequestHandler, type NextFunction, type Request, type Response } from 'express';
import { BodyError, HttpError } from './errors.js';
import type { Log } from './log.js';

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
const readJson = express.json({ limit: BODY_LIMIT_BYTES, strict: true, inflate: false, type: () => true });

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
  readJson(req, res, (error?: unknown) => {
    if (error === undefined) return next();
    closeAfter(res);
    const type = (error as { type?: string }).type;
    if (type === 'entity.too.large') next(new BodyError(413, `the request body may be at most ${BODY_LIMIT_BYTES} bytes`));
    else if (type === 'encoding.unsupported' || type === 'charset.unsupported') next(new BodyError(415, 'send the body as JSON in UTF-8, not compressed'));
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

export function errorHandler(log: Log): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    let status = 500;
    let code = 'INTERNAL';
    let message = 'internal error';
    if (error instanceof HttpError) {
      ({ status, code, message } = error);
      if (status >= 500) log.warn({ path: req.path, err: message }, 'upstream failure');
    } else {
      log.error({ err: error, path: req.path }, 'request failed');
    }
    if (res.headersSent) return;
    res.status(status).json({ error: { code, message } });
  };
}

const NOT_BUILT = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>GateWatch</title></head>
<body><h1>GateWatch</h1><p>The web app is not built. Run <code>pnpm --filter @gatewatch/web run build</code> and restart the dashboard.</p>
<p>The API answers under <a href="/api/v1/openapi.json">/api/v1</a>.</p></body></html>`;

/** The built web app; index.html for any other GET (the app's own routes), or a page saying it is not built. */
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
    express.static(root, { index: 'index.html', fallthrough: true, maxAge: '1h', setHeaders: (res, path) => path.endsWith('index.html') && res.setHeader('Cache-Control', 'no-cache') }),
    (req, res, next) => {
      if (req.method !== 'GET' && req.method !== 'HEAD') return next();
      res.setHeader('Cache-Control', 'no-cache');
      res.sendFile(join(root, 'index.html'));
    },
  ];
}
