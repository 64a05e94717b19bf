/**
 * Sessions in the server's memory: a random 256-bit id (the cookie) → who and since when. A
 * session ends `idleMs` after its last use or `maxMs` after sign-in, whichever comes first; a
 * restart ends them all. Ended sessions are swept on a timer so that their sockets are
 * disconnected even when nobody asks (`onEnd`).
 */
import { randomBytes } from 'node:crypto';

export interface Session {
  id: string;
  username: string;
  createdMs: number;
  lastUsedMs: number;
}

export class SessionStore {
  private readonly sessions = new Map<string, Session>();
  private timer: NodeJS.Timeout | undefined;
  private readonly listeners: ((id: string) => void)[] = [];

  constructor(
    private readonly opts: { idleMs: number; maxMs: number },
    private readonly now: () => number = Date.now,
  ) {}

  start(): void {
    // Often enough that a socket outlives its session by at most a fraction of the idle time.
    const every = Math.min(30_000, Math.max(100, Math.min(this.opts.idleMs, this.opts.maxMs) / 4));
    this.timer = setInterval(() => this.sweep(), every);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.sessions.clear();
  }

  /** Called with the id of every session that ends (logout, expiry). */
  onEnd(listener: (id: string) => void): void {
    this.listeners.push(listener);
  }

  create(username: string): Session {
    const t = this.now();
    const session = { id: randomBytes(32).toString('base64url'), username, createdMs: t, lastUsedMs: t };
    this.sessions.set(session.id, session);
    return session;
  }

  /** The live session of this id, or undefined; `touch` counts it as used (a request). */
  get(id: string | undefined, touch = true): Session | undefined {
    if (id === undefined) return undefined;
    const s = this.sessions.get(id);
    if (!s) return undefined;
    const t = this.now();
    if (this.expired(s, t)) {
      this.end(id);
      return undefined;
    }
    if (touch) s.lastUsedMs = t;
    return s;
  }

  /** When the session ends unless used again. */
  expiresAt(s: Session): number {
    return Math.min(s.lastUsedMs + this.opts.idleMs, s.createdMs + this.opts.maxMs);
  }

  end(id: string): void {
    if (!this.sessions.delete(id)) return;
    for (const l of this.listeners) l(id);
  }

  /** Number of live sessions (health, tests). */
  get size(): number {
    return this.sessions.size;
  }

  private expired(s: Session, t: number): boolean {
    return t >= this.expiresAt(s);
  }

  private sweep(): void {
    const t = this.now();
    for (const s of [...this.sessions.values()]) if (this.expired(s, t)) this.end(s.id);
  }
}
