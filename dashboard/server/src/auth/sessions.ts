/**
 * Sessions: a random 256-bit id (the cookie) → who and since when. A session ends `idleMs` after
 * its last use or `maxMs` after sign-in, whichever comes first. Ended sessions are swept on a
 * timer so that their sockets are disconnected even when nobody asks (`onEnd`).
 *
 * The store keys sessions by the SHA-256 of their id, never the id itself, so that with `file`
 * they can be kept on disk across a restart of the dashboard (an update, a crash): the officers'
 * wall screens reconnect signed in instead of falling back to the sign-in page. The file holds
 * no usable cookie, only hashes; it is written with mode 600, atomically (a rename).
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface Session {
  /** The cookie value: known only to the response that created the session. */
  id?: string;
  /** SHA-256 of the id (base64url): the key in memory and on disk, and the socket room's name. */
  key: string;
  username: string;
  /**
   * Of the password the user signed in with (Auth.credentialOf): once the users file gives the
   * user another password, the session no longer signs in, also one kept across a restart.
   */
  credential: string;
  createdMs: number;
  lastUsedMs: number;
}

/** How often a session's last use is written back when nothing else changed: idle times may be this far off after a restart. */
const TOUCH_SAVE_MS = 30_000;

export const sessionKey = (id: string): string => createHash('sha256').update(id).digest('base64url');

export class SessionStore {
  private readonly sessions = new Map<string, Session>();
  private timer: NodeJS.Timeout | undefined;
  private readonly listeners: ((key: string) => void)[] = [];
  private savedMs = 0;

  constructor(
    private readonly opts: { idleMs: number; maxMs: number; file?: string; onSaveError?: (error: unknown) => void },
    private readonly now: () => number = Date.now,
  ) {}

  start(): void {
    this.load();
    // Often enough that a socket outlives its session by at most a fraction of the idle time.
    const every = Math.min(30_000, Math.max(100, Math.min(this.opts.idleMs, this.opts.maxMs) / 4));
    this.timer = setInterval(() => this.sweep(), every);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.save();
    this.sessions.clear();
  }

  /** Called with the key of every session that ends (logout, expiry). */
  onEnd(listener: (key: string) => void): void {
    this.listeners.push(listener);
  }

  create(username: string, credential = ''): Session & { id: string } {
    const t = this.now();
    const id = randomBytes(32).toString('base64url');
    const session = { id, key: sessionKey(id), username, credential, createdMs: t, lastUsedMs: t };
    this.sessions.set(session.key, session);
    this.save();
    return session;
  }

  /** The live session of this id, or undefined; `touch` counts it as used (a request). */
  get(id: string | undefined, touch = true): Session | undefined {
    if (id === undefined) return undefined;
    const key = sessionKey(id);
    const s = this.sessions.get(key);
    if (!s) return undefined;
    const t = this.now();
    if (this.expired(s, t)) {
      this.endKey(key);
      return undefined;
    }
    if (touch) {
      s.lastUsedMs = t;
      if (t - this.savedMs >= TOUCH_SAVE_MS) this.save();
    }
    return s;
  }

  /** When the session ends unless used again. */
  expiresAt(s: Session): number {
    return Math.min(s.lastUsedMs + this.opts.idleMs, s.createdMs + this.opts.maxMs);
  }

  end(id: string): void {
    this.endKey(sessionKey(id));
  }

  /** Number of live sessions (health, tests). */
  get size(): number {
    return this.sessions.size;
  }

  private endKey(key: string): void {
    if (!this.sessions.delete(key)) return;
    this.save();
    for (const l of this.listeners) l(key);
  }

  private expired(s: Session, t: number): boolean {
    return t >= this.expiresAt(s);
  }

  private sweep(): void {
    const t = this.now();
    for (const s of [...this.sessions.values()]) if (this.expired(s, t)) this.endKey(s.key);
  }

  /** The sessions a previous run kept; a missing or unreadable file is no sessions (sign in again). */
  private load(): void {
    if (!this.opts.file) return;
    let kept: unknown;
    try {
      kept = JSON.parse(readFileSync(this.opts.file, 'utf8'));
    } catch {
      return;
    }
    const list = (kept as { v?: unknown; sessions?: unknown }).v === 1 ? (kept as { sessions: unknown }).sessions : undefined;
    if (!Array.isArray(list)) return;
    const t = this.now();
    for (const s of list as Partial<Session>[]) {
      const ok = typeof s.key === 'string' && typeof s.username === 'string' && typeof s.credential === 'string' && typeof s.createdMs === 'number' && typeof s.lastUsedMs === 'number';
      if (!ok) continue;
      const session: Session = { key: s.key!, username: s.username!, credential: s.credential!, createdMs: s.createdMs!, lastUsedMs: s.lastUsedMs! };
      if (!this.expired(session, t)) this.sessions.set(session.key, session);
    }
  }

  private save(): void {
    if (!this.opts.file) return;
    this.savedMs = this.now();
    const file = this.opts.file;
    try {
      mkdirSync(dirname(file), { recursive: true });
      const tmp = `${file}.tmp`;
      // These fields only: the id (a usable cookie) never goes to disk.
      const sessions = [...this.sessions.values()].map(({ key, username, credential, createdMs, lastUsedMs }) => ({ key, username, credential, createdMs, lastUsedMs }));
      writeFileSync(tmp, JSON.stringify({ v: 1, sessions }), { mode: 0o600 });
      renameSync(tmp, file);
    } catch (error) {
      // Sessions still work in memory; only a restart would sign everyone out.
      this.opts.onSaveError?.(error);
    }
  }
}

/**
 * The key that signs device cookies (auth.ts, DEVICE_COOKIE): kept beside the sessions file
 * (`<sessionsFile>.device-key`, mode 600) so that browsers stay known across restarts, made at
 * the first start. Without a sessions file, or when it cannot be kept, a key for this run only
 * (browsers are then known again after their next sign-in). Deleting the file forgets every
 * browser.
 */
export function loadDeviceKey(sessionsFile: string | undefined, log: { warn(obj: object, msg: string): void }): Buffer {
  if (sessionsFile === undefined) return randomBytes(32);
  const file = `${sessionsFile}.device-key`;
  try {
    const kept = readFileSync(file);
    if (kept.length === 32) return kept;
  } catch {
    // Not made yet: made below.
  }
  const key = randomBytes(32);
  try {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, key, { mode: 0o600 });
  } catch (error) {
    log.warn({ file, err: error instanceof Error ? error.message : String(error) }, 'device key not kept; browsers are known again after their next sign-in');
  }
  return key;
}
