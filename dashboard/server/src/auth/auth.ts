/**
 * Sign-in: the routes (`/api/auth/login|logout|me`), the session cookie, the per-role checks
 * the other features call. Roles (docs/dashboard.md): an officer sees the checkpoints bound to
 * them, a manager those of their region; everyone else is the public.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type { Me } from '@gatewatch/shared';
import type { DashboardConfig } from '../config/types.js';
import { BadRequest, Forbidden, RateLimited, Unauthorized } from '../errors.js';
import type { Log } from '../log.js';
import { clientKey } from '../clientAddress.js';
import { DUMMY_HASH, verifyPassword } from './passwords.js';
import type { Session, SessionStore } from './sessions.js';
import { KnownAddresses, SignInLimits } from './throttle.js';
import type { User } from './users.js';

export const SESSION_COOKIE = 'gw_session';
/** Wrong user and wrong password read the same: nobody learns which usernames exist. */
export const WRONG_CREDENTIALS = 'wrong username or password';

export interface SignedIn {
  user: User;
  session: Session;
}

/** The value of one cookie in a Cookie header. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/**
 * A browser where a user signed in before carries this (OWASP's "device cookie"): the user's
 * name and a MAC of it under the server's device key. Its sign-ins are not held back by the
 * per-username and per-address counts, so that guesses from elsewhere or colleagues' typos
 * cannot lock an officer out of their own desk, phone or a new address; its own failures are
 * counted apart from those of others at its address, and the address's hard limit still applies.
 */
export const DEVICE_COOKIE = 'gw_device';
const DEVICE_COOKIE_MAX_AGE_S = 365 * 86_400;

export class Auth {
  private readonly limits: SignInLimits;
  private readonly knownAddresses: KnownAddresses;

  /** `now`: the throttles' clock (tests move it). */
  constructor(
    private readonly deps: {
      config: DashboardConfig;
      users: ReadonlyMap<string, User>;
      sessions: SessionStore;
      log: Log;
      /** Signs device cookies (32 random bytes, kept across restarts when there is a sessions file). */
      deviceKey: Buffer;
      now?: () => number;
    },
  ) {
    const now = deps.now ?? Date.now;
    this.limits = new SignInLimits(now);
    this.knownAddresses = new KnownAddresses(now);
  }

  /** The signed-in user of a Cookie header, or undefined (the public). `touch`: counts as a request. */
  fromCookie(cookieHeader: string | undefined, touch = true): SignedIn | undefined {
    const session = this.deps.sessions.get(cookieValue(cookieHeader, SESSION_COOKIE), touch);
    if (!session) return undefined;
    const user = this.deps.users.get(session.username);
    // A new password in the users file (after a leak, say) ends the sessions of the old one.
    return user && session.credential === Auth.credentialOf(user) ? { user, session } : undefined;
  }

  /** Middleware: 401 unless signed in; the user is in res.locals.signedIn. */
  readonly requireUser = (req: Request, res: Response, next: NextFunction): void => {
    const signedIn = this.fromCookie(req.headers.cookie);
    if (!signedIn) throw new Unauthorized();
    res.locals['signedIn'] = signedIn;
    next();
  };

  /** Names the password a session was signed in with, not the hash itself (the sessions file must not hold it). */
  static credentialOf(user: User): string {
    return createHash('sha256').update(user.passwordHash).digest('base64url').slice(0, 22);
  }

  /** Whether the user may see this checkpoint in full (live room, history). */
  static maySee(user: User, checkpoint: string): boolean {
    return user.checkpoints.includes(checkpoint);
  }

  /** Throws 403 naming the first checkpoint the user may not see. */
  static requireCheckpoints(user: User, checkpoints: readonly string[]): void {
    const other = checkpoints.find((c) => !Auth.maySee(user, c));
    if (other !== undefined) throw new Forbidden(`checkpoint '${other}' is not among yours (${user.checkpoints.join(', ')})`);
  }

  me(signedIn: SignedIn): Me {
    const { user, session } = signedIn;
    return {
      username: user.username,
      displayName: user.displayName,
      role: user.role,
      checkpoints: user.checkpoints,
      ...(user.region !== undefined ? { region: user.region } : {}),
      expiresAt: new Date(this.deps.sessions.expiresAt(session)).toISOString(),
    };
  }

  router(): Router {
    const r = express.Router();
    r.post('/login', async (req, res) => {
      const body: unknown = req.body;
      const field = (name: 'username' | 'password', max: number): string => {
        const v = typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[name] : undefined;
        if (typeof v !== 'string' || v.length === 0) throw new BadRequest(name, 'required, as text in a JSON body');
        if (v.length > max) throw new BadRequest(name, `must be at most ${max} characters`);
        return v;
      };
      const username = field('username', 64);
      const password = field('password', 1024);
      // The client's address as the trusted proxy gives it (server.ts, 'trust proxy'), or the
      // peer's; an IPv6 client by its /64 (clientAddress.ts).
      const address = clientKey(req.ip);
      // A browser where this user signed in before (the device cookie) and an address where they
      // did pass the counts that others' failures fill (throttle.ts, SignInLimits).
      const attempt = { username, address, device: this.deviceKnows(req, username), knownAddress: this.knownAddresses.has(username, address) };
      const waitS = this.limits.retryAfterS(attempt);
      if (waitS > 0) throw new RateLimited(waitS, `too many failed sign-ins; try again in ${waitS} s`, 'TOO_MANY_ATTEMPTS');
      // Counted now, before the scrypt: guesses sent all at once meet the limit as they arrive.
      this.limits.failed(attempt);
      const user = this.deps.users.get(username);
      // An unknown user costs one scrypt too: the answer's timing does not tell them apart.
      const good = await verifyPassword(password, user?.passwordHash ?? DUMMY_HASH);
      if (!user || !good) {
        this.deps.log.info({ username, address }, 'sign-in refused');
        throw new Unauthorized(WRONG_CREDENTIALS);
      }
      this.limits.succeeded(attempt);
      this.knownAddresses.add(user.username, address);
      // A sign-in replaces the session this browser had (another user at the same desk).
      const previous = cookieValue(req.headers.cookie, SESSION_COOKIE);
      if (previous !== undefined) this.deps.sessions.end(previous);
      const session = this.deps.sessions.create(user.username, Auth.credentialOf(user));
      res.setHeader('Set-Cookie', [
        this.cookie(req, session.id, Math.ceil(this.deps.config.auth.sessionMaxHours * 3600)),
        this.cookie(req, this.deviceValue(user.username), DEVICE_COOKIE_MAX_AGE_S, DEVICE_COOKIE, '/api/auth'),
      ]);
      this.deps.log.info({ username, role: user.role }, 'signed in');
      res.json(this.me({ user, session }));
    });
    r.post('/logout', (req, res) => {
      const id = cookieValue(req.headers.cookie, SESSION_COOKIE);
      if (id !== undefined) this.deps.sessions.end(id);
      res.setHeader('Set-Cookie', this.cookie(req, '', 0));
      res.status(204).end();
    });
    r.get('/me', this.requireUser, (_req, res) => {
      res.json(this.me(res.locals['signedIn'] as SignedIn));
    });
    return r;
  }

  /**
   * HttpOnly (no script reads it), SameSite=Strict (no other site's page sends it), Path=/ (one
   * cookie for the app and the API), Secure when TLS is declared (server.secureCookies) or the
   * request came over https: req.secure, which honours X-Forwarded-Proto only from a trusted
   * proxy (server.trustProxy), so a client cannot claim it.
   */
  private cookie(req: Request, value: string, maxAgeS: number, name = SESSION_COOKIE, path = '/'): string {
    const secure = this.deps.config.server.secureCookies || req.secure ? '; Secure' : '';
    return `${name}=${value}; Path=${path}; Max-Age=${maxAgeS}; HttpOnly; SameSite=Strict${secure}`;
  }

  private deviceMac(username: string): Buffer {
    return createHmac('sha256', this.deps.deviceKey).update(`gatewatch device\n${username}`).digest();
  }

  private deviceValue(username: string): string {
    return `${Buffer.from(username).toString('base64url')}.${this.deviceMac(username).toString('base64url')}`;
  }

  /** Whether the request carries a device cookie this server made for `username`. */
  private deviceKnows(req: Request, username: string): boolean {
    const value = cookieValue(req.headers.cookie, DEVICE_COOKIE);
    const dot = value?.indexOf('.') ?? -1;
    if (value === undefined || dot < 0) return false;
    if (Buffer.from(value.slice(0, dot), 'base64url').toString() !== username) return false;
    const mac = Buffer.from(value.slice(dot + 1), 'base64url');
    const expected = this.deviceMac(username);
    return mac.length === expected.length && timingSafeEqual(mac, expected);
  }
}
