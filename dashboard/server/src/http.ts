/**
 * What every answer gets: security headers, the X-GateWatch header on state-changing requests,
 * JSON errors, and the built web app with its index.html for the app's own routes.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import express, { type ErrorRequestHandler, type NextFunction, type Request, type Response } from 'express';
import { HttpError } from './errors.js';
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

export function securityHeaders(_req: Request, res: Response, next: NextFunction): void {
  res.setHeader('Content-Security-Policy', CSP);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  next();
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** A cross-site form or image cannot set a custom header: requiring one stops request forgery. */
export function requireGateWatchHeader(req: Request, _res: Response, next: NextFunction): void {
  if (SAFE_METHODS.has(req.method) || req.headers['x-gatewatch'] === '1') return next();
  throw new HttpError(403, 'MISSING_HEADER', 'requests that change something must carry the header X-GateWatch: 1');
}

export function apiNotFound(req: Request): never {
  throw new HttpError(404, 'NOT_FOUND', `no such API: ${req.method} ${req.path}`);
}

export function errorHandler(log: Log): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    let status = 500;
    let code = 'INTERNAL';
    let message = 'internal error';
    if (error instanceof HttpError) {
      ({ status, code, message } = error);
      if (status >= 500) log.warn({ path: req.path, err: message }, 'upstream failure');
    } else if (typeof error === 'object' && error !== null && 'type' in error && typeof (error as { status?: unknown }).status === 'number') {
      // body-parser: malformed JSON, too large a body, wrong charset.
      const e = error as { status: number; type: string };
      status = e.status;
      code = e.type === 'entity.too.large' ? 'BODY_TOO_LARGE' : 'BAD_BODY';
      message = e.type === 'entity.too.large' ? 'the request body is too large' : 'the request body is not valid JSON';
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
