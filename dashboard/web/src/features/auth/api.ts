import type { Me } from '@gatewatch/shared';
import { ApiRequestError, getJson, postJson } from '../../lib/api.js';

export const AUTH_URLS = {
  me: '/api/auth/me',
  login: '/api/auth/login',
  logout: '/api/auth/logout',
} as const;

function isMe(v: unknown): v is Me {
  return typeof v === 'object' && v !== null && typeof (v as Me).username === 'string' && typeof (v as Me).role === 'string';
}

/** The signed-in user, or null when signed out (401). */
export async function fetchMe(): Promise<Me | null> {
  try {
    return await getJson<Me>(AUTH_URLS.me);
  } catch (e) {
    if (e instanceof ApiRequestError && e.status === 401) return null;
    throw e;
  }
}

/** Sign in; answers the user (from the login answer if it is one, else from /me). */
export async function login(username: string, password: string): Promise<Me> {
  const body = await postJson<unknown>(AUTH_URLS.login, { username, password });
  if (isMe(body)) return body;
  if (typeof body === 'object' && body !== null && 'me' in body && isMe((body as { me: unknown }).me)) return (body as { me: Me }).me;
  const me = await fetchMe();
  if (!me) throw new ApiRequestError(401, 'unauthorized', 'not signed in after login');
  return me;
}

export async function logout(): Promise<void> {
  await postJson<unknown>(AUTH_URLS.logout);
}

/** Where a user lands after signing in: officer → their first checkpoint; manager → #/manager. */
export function homeOf(me: Me): string {
  if (me.role === 'manager') return '#/manager';
  const first = me.checkpoints[0];
  return first ? `#/checkpoint/${encodeURIComponent(first)}` : '#/';
}
