/**
 * JSON over fetch with the session cookie ('same-origin'). Errors come back as
 * `{error:{code,message}}` and are thrown as ApiRequestError, whose message is shown to the user.
 */
import type { ApiError } from '@gatewatch/shared';

export class ApiRequestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Seconds the server asks to wait (Retry-After of a 429), when it says. */
    readonly retryAfterS?: number,
  ) {
    super(message);
    this.name = 'ApiRequestError';
  }
}

function isApiError(v: unknown): v is ApiError {
  return (
    typeof v === 'object' &&
    v !== null &&
    'error' in v &&
    typeof (v as ApiError).error === 'object' &&
    typeof (v as ApiError).error?.message === 'string'
  );
}

/** Fired on a 401 from anything but the sign-in routes: the session may have ended. */
export const UNAUTHORIZED_EVENT = 'gatewatch:unauthorized';

export function signalUnauthorized(): void {
  globalThis.dispatchEvent?.(new Event(UNAUTHORIZED_EVENT));
}

async function parse<T>(res: Response, url: string): Promise<T> {
  const text = await res.text();
  let body: unknown = undefined;
  if (text) {
    try {
      body = JSON.parse(text);
    } catch {
      if (res.ok) throw new ApiRequestError(res.status, 'bad_response', `not JSON: ${text.slice(0, 80)}`);
    }
  }
  if (!res.ok) {
    if (res.status === 401 && !url.startsWith('/api/auth/')) signalUnauthorized();
    const retry = Number(res.headers.get('Retry-After') ?? NaN);
    const retryAfterS = Number.isFinite(retry) && retry > 0 ? retry : undefined;
    if (isApiError(body)) throw new ApiRequestError(res.status, body.error.code, body.error.message, retryAfterS);
    throw new ApiRequestError(res.status, `http_${res.status}`, `${res.status} ${res.statusText || 'error'}`.trim());
  }
  return body as T;
}

async function send<T>(url: string, init: RequestInit): Promise<T> {
  let res: Response;
  try {
    res = await fetch(url, { credentials: 'same-origin', ...init });
  } catch (e) {
    if (e instanceof DOMException && e.name === 'AbortError') throw e;
    throw new ApiRequestError(0, 'network', e instanceof Error ? e.message : String(e));
  }
  return parse<T>(res, url);
}

export function getJson<T>(url: string, signal?: AbortSignal): Promise<T> {
  return send<T>(url, { method: 'GET', headers: { Accept: 'application/json' }, ...(signal ? { signal } : {}) });
}

/** State-changing requests carry `X-GateWatch: 1`, which a cross-site form cannot set. */
export function postJson<T>(url: string, body?: unknown): Promise<T> {
  return send<T>(url, {
    method: 'POST',
    headers: { Accept: 'application/json', 'Content-Type': 'application/json', 'X-GateWatch': '1' },
    body: body === undefined ? '{}' : JSON.stringify(body),
  });
}

/** A query string from defined values; `+` in offsets and commas are encoded. */
export function query(params: Record<string, string | number | undefined | null>): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === '') continue;
    parts.push(`${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`);
  }
  return parts.length ? `?${parts.join('&')}` : '';
}

export function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}
