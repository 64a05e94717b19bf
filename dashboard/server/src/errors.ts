/**
 * Errors the server answers with. Every REST error is `{"error":{"code","message"}}`
 * (docs/dashboard.md, "REST"); the class carries the HTTP status so that a route only throws.
 */
import { GateWatchError } from '@gatewatch/shared';

export class HttpError extends GateWatchError {
  constructor(
    readonly status: number,
    code: string,
    message: string,
  ) {
    super(code, message);
  }
}

/** A query parameter or body field that cannot be used: the message names it and its value. */
export class BadRequest extends HttpError {
  constructor(parameter: string, problem: string, value?: unknown) {
    super(400, 'BAD_PARAMETER', value === undefined ? `${parameter}: ${problem}` : `${parameter}: ${problem} (is ${show(value)})`);
  }
}

export class Unauthorized extends HttpError {
  constructor(message = 'sign in first') {
    super(401, 'UNAUTHORIZED', message);
  }
}

export class Forbidden extends HttpError {
  constructor(message: string) {
    super(403, 'FORBIDDEN', message);
  }
}

/** A request body refused before or while it was read: too large (413), not JSON in UTF-8 (415), malformed (400). */
export class BodyError extends HttpError {
  constructor(status: 400 | 413 | 415, message: string) {
    super(status, status === 413 ? 'BODY_TOO_LARGE' : 'BAD_BODY', message);
  }
}

/** InfluxDB did not answer or refused a query: the browser is told, the log gets the details. */
export class UpstreamError extends HttpError {
  constructor(message: string) {
    super(502, 'INFLUX_UNAVAILABLE', message);
  }
}

/**
 * A value as shown after `is` in a message: strings quoted and cut short; objects and functions
 * by their kind only, never converted (their own toString may throw or be anything).
 */
export function show(v: unknown): string {
  if (typeof v === 'string') return `'${v.length > 80 ? `${v.slice(0, 77)}...` : v}'`;
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object' && v !== null) return 'a mapping';
  if (typeof v === 'function') return 'a function';
  if (typeof v === 'symbol') return 'a symbol';
  return String(v);
}

/** Too many requests of one kind from one client: 429, with the seconds to wait for a Retry-After. */
export class RateLimited extends HttpError {
  constructor(
    readonly retryAfterS: number,
    message: string,
    code = 'RATE_LIMITED',
  ) {
    super(429, code, message);
  }
}
