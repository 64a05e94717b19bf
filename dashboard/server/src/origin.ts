/**
 * This server's origin as a browser sees it, and whether a socket's page came from it (cross-site
 * WebSocket hijacking: another site's page opening a socket with an officer's cookie). Behind a
 * reverse proxy the browser's origin is the proxy's: its scheme from X-Forwarded-Proto and its
 * host from X-Forwarded-Host (or the Host the proxy passes on), believed only from a proxy that
 * `server.trustProxy` names. Default ports are dropped on both sides, as browsers do.
 */
import type { IncomingHttpHeaders } from 'node:http';

const HOST = /^(?:[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.?|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

/** The first entry of a header a chain of proxies may have made a list of. */
function first(value: string | string[] | undefined): string | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  const entry = v?.split(',')[0]?.trim();
  return entry ? entry : undefined;
}

/**
 * `https://host[:port]` or `http://…` of this request; undefined without a usable host.
 * `tls`: TLS is declared (server.secureCookies) or the connection itself is TLS; `trustedProxy`:
 * the peer is a proxy that server.trustProxy names, whose X-Forwarded-* are believed.
 */
export function serverOrigin(headers: IncomingHttpHeaders, opts: { tls: boolean; trustedProxy: boolean }): string | undefined {
  const forwardedProto = opts.trustedProxy ? first(headers['x-forwarded-proto'])?.toLowerCase() : undefined;
  const scheme = opts.tls || forwardedProto === 'https' ? 'https' : 'http';
  const host = (opts.trustedProxy ? first(headers['x-forwarded-host']) : undefined) ?? headers.host;
  // A name or an address, and a port: anything else (a path, credentials) is no host.
  if (!host || !HOST.test(host)) return undefined;
  try {
    return new URL(`${scheme}://${host}`).origin;
  } catch {
    return undefined;
  }
}

/**
 * Whether an Origin header names exactly `expected`: a serialised origin (scheme, host, port if
 * not the default; nothing after), compared whole. `null`, look-alike hosts, another scheme or
 * port, and anything with a path are not.
 */
export function isOrigin(origin: string, expected: string | undefined): boolean {
  if (expected === undefined) return false;
  try {
    return new URL(origin).origin === origin && origin === expected;
  } catch {
    return false;
  }
}
