/**
 * A tiny hash router: `#/` overview, `#/checkpoint/<id>` officer view, `#/manager`,
 * `#/wait`, `#/login`. The hash keeps the server's static serving trivial (one index.html).
 */
import { useMemo, useSyncExternalStore } from 'react';

export type Route =
  | { name: 'overview' }
  | { name: 'checkpoint'; id: string }
  | { name: 'manager' }
  | { name: 'wait' }
  | { name: 'login' }
  | { name: 'notFound'; path: string };

export function parseHash(hash: string): Route {
  const path = hash.replace(/^#/, '').replace(/\/+$/, '') || '/';
  if (path === '/' || path === '') return { name: 'overview' };
  const parts = path.split('/').filter(Boolean);
  const [head, arg] = parts;
  if (head === 'checkpoint' && arg && parts.length === 2) return { name: 'checkpoint', id: decodeURIComponent(arg) };
  if (parts.length === 1 && (head === 'manager' || head === 'wait' || head === 'login')) return { name: head };
  return { name: 'notFound', path };
}

export function href(route: Route): string {
  switch (route.name) {
    case 'overview':
      return '#/';
    case 'checkpoint':
      return `#/checkpoint/${encodeURIComponent(route.id)}`;
    case 'notFound':
      return `#${route.path}`;
    default:
      return `#/${route.name}`;
  }
}

export function navigate(route: Route | string): void {
  window.location.hash = typeof route === 'string' ? route : href(route);
}

function subscribe(onChange: () => void): () => void {
  window.addEventListener('hashchange', onChange);
  return () => window.removeEventListener('hashchange', onChange);
}

const getHash = () => window.location.hash;

/** The current route; re-renders on hash changes. */
export function useRoute(): Route {
  const hash = useSyncExternalStore(subscribe, getHash, () => '');
  return useMemo(() => parseHash(hash), [hash]);
}

export function sameRoute(a: Route, b: Route): boolean {
  return href(a) === href(b);
}
