/**
 * The REST fuzz's inputs, one request each (the target is fuzz/restRoutes.ts): every REST route of
 * docs/dashboard.md (the public `/api/v1/...`, `/api/health`, `/api/auth/login|logout|me`,
 * `/api/v1/history/...`), the web app's files (`/`, `/assets/...`, the app's own routes) and
 * unknown paths, for the real server process (fuzz/server.ts), with every method (GET, HEAD,
 * POST, PUT, DELETE, PATCH, OPTIONS, and odd ones Node knows or not), arbitrary query strings,
 * headers and bodies (fuzz/restRequestParts.ts), with and without a session cookie and the
 * `X-GateWatch: 1` header; from a few loopback addresses (the rate limits and sign-in holds count
 * per address; the harness signs in from its own).
 *
 * Here: the routes, methods and addresses, `inputs()`, which puts them and the parts together
 * and decides which requests must be written byte for byte (fuzz/restTransport.ts), and
 * `showInput`, the request as a report shows it.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { bodies, CONTENT_TYPES, changePath, header, pathOf, queryString, raw } from './restRequestParts.js';

/** The fuzz's own addresses (the harness signs in and checks health from 127.0.0.1). */
export const FUZZ_ADDRESSES = ['127.0.0.2', '127.0.0.3', '127.0.0.4', '127.0.0.5', '127.0.0.6', '127.0.0.7', '127.0.0.8', '127.0.0.9'] as const;

const WEB_DIST = fileURLToPath(new URL('../../../dashboard/web/dist/', import.meta.url));
const assets = (): string[] => {
  try {
    return readdirSync(`${WEB_DIST}assets`);
  } catch {
    return [];
  }
};

export interface Route {
  path: string;
  /** The query parameters the route takes. */
  params: readonly string[];
  /** Signed in only: never 2xx without a session. */
  signedIn?: boolean;
}

const HISTORY = ['checkpoints', 'from', 'to', 'format'] as const;
export const ROUTES: readonly Route[] = [
  { path: '/api/v1/checkpoints', params: [] },
  { path: '/api/v1/wait-estimates', params: [] },
  { path: '/api/v1/wait-estimates/trend', params: ['checkpoint', 'hours'] },
  { path: '/api/v1/wait-estimates/typical', params: ['checkpoint', 'weeks'] },
  { path: '/api/v1/openapi.json', params: [] },
  { path: '/api/health', params: [] },
  { path: '/api/auth/login', params: [] },
  { path: '/api/auth/logout', params: [] },
  { path: '/api/auth/me', params: [], signedIn: true },
  { path: '/api/v1/history/throughput', params: [...HISTORY, 'interval'], signedIn: true },
  { path: '/api/v1/history/clearance-times', params: HISTORY, signedIn: true },
  { path: '/api/v1/history/heatmap', params: HISTORY, signedIn: true },
  { path: '/api/v1/history/queue', params: ['checkpoint', 'from', 'to', 'format'], signedIn: true },
  { path: '/', params: [] },
  { path: '/index.html', params: [] },
  ...assets().map((a) => ({ path: `/assets/${a}`, params: [] })),
  { path: '/assets/', params: [] },
  { path: '/assets', params: [] },
  { path: '/assets/index.js.map', params: [] },
  { path: '/officer', params: [] },
  { path: '/favicon.ico', params: [] },
  { path: '/api', params: [] },
  { path: '/api/v1', params: [] },
  { path: '/api/v2/checkpoints', params: [] },
  { path: '/api/v1/history', params: [], signedIn: true },
  { path: '/api/auth', params: [] },
];

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'] as const;
/** Methods Node's parser knows but no route takes, and tokens it does not know (answered 400 by the parser's handler). */
const ODD_METHODS = ['TRACE', 'PROPFIND', 'MKCOL', 'SEARCH', 'PURGE', 'LOCK', 'M-SEARCH', 'NOTIFY', 'LINK', 'REPORT', 'FOO', 'BREW', 'get', 'G\u00e9T', 'QUERY'] as const;

/**
 * Left out, and why (said in the report): CONNECT (Node closes the connection unanswered when
 * nothing listens for it) and `Connection: Upgrade` (socket.io's engine takes every upgrade and
 * ends one to another path after a second, unanswered): answer-less by design of the layers
 * under Express, and the second costs a second per input.
 */

export type Cookie = 'none' | 'officer' | 'manager' | 'garbage' | 'ended' | 'both';
export type Lie = 'none' | 'shorter' | 'longer' | 'twoLengths' | 'lengthAndChunked' | 'bareLf' | 'folded' | 'noHost' | 'http10' | 'badVersion' | 'controlBytes';

export interface RestInput {
  transport: 'http' | 'raw';
  from: number;
  method: string;
  /** Path and query string as sent (bytes 0x21-0xff). */
  target: string;
  route: Route;
  pathKind: string;
  headers: [string, string][];
  cookie: Cookie;
  gatewatch: string | undefined;
  body: { bytes: Buffer; shown: string; chunked: boolean } | undefined;
  lie: Lie;
}

/** A method node:http sends: a token (it refuses `GéT`). */
const isToken = (m: string): boolean => /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(m);

export function inputs(): fc.Arbitrary<RestInput> {
  const anyRoute = fc.constantFrom(...ROUTES);
  const apiRoute = fc.constantFrom(...ROUTES.filter((r) => r.path.startsWith('/api/')));
  const anyMethod = fc.oneof({ weight: 10, arbitrary: fc.constantFrom(...METHODS) }, { weight: 1, arbitrary: fc.constantFrom(...ODD_METHODS) });
  const bodyMethod = fc.constantFrom('POST', 'POST', 'POST', 'PUT', 'PATCH', 'DELETE');
  const anyType = fc.constantFrom(...CONTENT_TYPES).map((v): [string, string] => ['Content-Type', v]);
  const jsonType = fc.constantFrom('application/json', 'application/json', 'application/json; charset=utf-8', 'APPLICATION/JSON', 'application/json;charset="utf-8"').map((v): [string, string] => ['Content-Type', v]);
  const gatewatch = fc.oneof({ weight: 6, arbitrary: fc.constant('1') }, { weight: 3, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.constantFrom('0', '', 'true', '1 ', '01') });
  const common = {
    transport: fc.oneof({ weight: 9, arbitrary: fc.constant('http' as const) }, { weight: 1, arbitrary: fc.constant('raw' as const) }),
    // One address takes most requests, so that its rate limits are met; the rest share the others.
    from: fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, { weight: 2, arbitrary: fc.integer({ min: 1, max: FUZZ_ADDRESSES.length - 1 }) }),
    headers: fc.array(header, { maxLength: 3 }),
    cookie: fc.constantFrom<Cookie>('none', 'none', 'officer', 'officer', 'manager', 'garbage', 'ended', 'both'),
    lie: fc.constantFrom<Lie>('none', 'shorter', 'longer', 'twoLengths', 'lengthAndChunked', 'bareLf', 'folded', 'noHost', 'http10', 'badVersion', 'controlBytes'),
  };
  // Anything: any route, method, type and body, or none.
  const any = fc.record({
    ...common,
    method: anyMethod,
    route: anyRoute.chain((r) => fc.tuple(fc.constant(r), pathOf, queryString(r))),
    contentType: fc.option(anyType, { freq: 2, nil: undefined }),
    gatewatch,
    body: fc.option(fc.tuple(bodies(), fc.boolean()), { freq: 2, nil: undefined }),
  });
  // A body that reaches the JSON reader: an API route, a method that changes something, JSON
  // by its type, X-GateWatch: 1 (mostly), the path as it is.
  const bodyRead = fc.record({
    ...common,
    method: bodyMethod,
    route: apiRoute.chain((r) => fc.tuple(fc.constant(r), fc.constant<[string, string, string]>(['asIs', '', '']), queryString(r))),
    contentType: jsonType,
    gatewatch: fc.oneof({ weight: 9, arbitrary: fc.constant('1') }, { weight: 1, arbitrary: gatewatch }),
    body: fc.tuple(bodies(), fc.boolean()),
  });
  return fc
    .oneof({ weight: 3, arbitrary: any }, { weight: 2, arbitrary: bodyRead })
    .map(({ transport, from, method: m, route: [r, p, q], contentType, headers, cookie, gatewatch: gw, body, lie }): RestInput => {
      // A body without a type of its own (half of them in `any`) is said to be JSON, so that it reaches the reader.
      const type = contentType ?? (body !== undefined || m === 'POST' ? (['Content-Type', 'application/json'] as [string, string]) : undefined);
      // node:http refuses a method that is not a token, sends `get` as GET,
      // and takes one Host header at most.
      const hosts = headers.filter(([k]) => k.toLowerCase() === 'host').length;
      const how = isToken(m) && m === m.toUpperCase() && hosts < 2 ? transport : 'raw';
      const input: RestInput = {
        transport: how,
        from,
        method: m,
        route: r,
        pathKind: p[0],
        target: `${raw(changePath(r.path, p))}${q}`,
        headers: [...(type ? [type] : []), ...headers],
        cookie,
        gatewatch: gw,
        body: body && { ...body[0], chunked: body[1] },
        lie: how === 'raw' ? lie : 'none',
      };
      return Object.assign(input, { [fc.toStringMethod]: () => showInput(input) });
    });
}

export function showInput(i: RestInput): string {
  const target = i.target.length > 160 ? `${i.target.slice(0, 120)}…(${i.target.length.toLocaleString('en-US')} chars)` : i.target;
  const headers = i.headers.map(([k, v]) => `${k}: ${v.length > 40 ? `${v.slice(0, 30)}…(${v.length} chars)` : v}`);
  if (i.cookie !== 'none') headers.push(`Cookie: <${i.cookie} session>`);
  if (i.gatewatch !== undefined) headers.push(`X-GateWatch: ${JSON.stringify(i.gatewatch)}`);
  const body = i.body ? ` body${i.body.chunked ? ' (chunked)' : ''} ${i.body.shown} (${i.body.bytes.length.toLocaleString('en-US')} bytes)` : '';
  const how = i.transport === 'raw' ? ` [written raw${i.lie !== 'none' ? `, ${i.lie}` : ''}]` : '';
  return `${i.method} ${target} from ${FUZZ_ADDRESSES[i.from]} [${headers.join('; ')}]${body}${how}`;
}
