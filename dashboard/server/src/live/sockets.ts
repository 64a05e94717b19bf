/**
 * socket.io rooms. Everyone is in `corridor` (the public strip, estimates only); a signed-in
 * client that sends `watch(checkpoint)` and may see it joins `checkpoint:<id>` and gets the whole
 * state at once, then that checkpoint's records and alerts. Rooms are the whole access control
 * of live data: an event is only ever emitted to the room of its checkpoint.
 *
 * The session is read from the cookie when the socket connects (a cross-origin page's socket is
 * treated as public); sockets of a session that ends are disconnected.
 */
import type { Server as HttpServer, IncomingMessage } from 'node:http';
import { Server, type Socket } from 'socket.io';
import type { ClientToServerEvents, CorridorLive, ServerToClientEvents, WatchReply } from '@gatewatch/shared';
import { Auth, type SignedIn } from '../auth/auth.js';
import type { SessionStore } from '../auth/sessions.js';
import { Forbidden, RateLimited, Unauthorized } from '../errors.js';
import type { Guard } from '../guard.js';
import { SECURITY_HEADERS } from '../http.js';
import type { Log } from '../log.js';
import { isOrigin } from '../origin.js';
import * as p from '../params.js';
import { RateLimiter } from '../public/rateLimit.js';
import type { LiveEvent, LiveState } from './state.js';

interface SocketData {
  signedIn?: SignedIn;
}
type GwServer = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;
type GwSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

const CORRIDOR = 'corridor';
const roomOf = (checkpoint: string): string => `checkpoint:${checkpoint}`;
const sessionRoom = (id: string): string => `session:${id}`;

/** The corridor goes out at most this often; lane-open windows age, so it is recomputed on a timer too. */
export const CORRIDOR_MIN_INTERVAL_MS = 1000;
const CORRIDOR_RECHECK_MS = 10_000;

/**
 * `watch` answers with a checkpoint's whole state (up to a few hundred kB): without a budget,
 * 1 000 watches of 30 bytes each made the server send 160 MB in 3 s. A page sends one per
 * (re)connect and per checkpoint it opens; a user gets this many a minute, in a burst (all their pages together).
 */
export const WATCH_PER_MINUTE = 30;

export class LiveSockets {
  private io: GwServer | undefined;
  private timer: NodeJS.Timeout | undefined;
  private corridorDirty = false;
  private lastCorridor = '';
  private lastCorridorCheck = 0;

  private readonly known: readonly string[];
  private readonly watchBudget: RateLimiter;

  constructor(
    private readonly deps: {
      state: LiveState;
      auth: Auth;
      sessions: SessionStore;
      log: Log;
      guard: Guard;
      checkpoints: readonly string[];
      /** This server's origin as the browser of a request sees it (origin.ts serverOrigin). */
      origin: (req: IncomingMessage) => string | undefined;
      /** A socket with a valid session came from another origin: a proxy that hides ours, or another site's page. */
      onForeignOrigin?: (origin: string, expected: string | undefined) => void;
      now?: () => number;
    },
  ) {
    this.known = deps.checkpoints;
    this.watchBudget = new RateLimiter(WATCH_PER_MINUTE, deps.now);
  }

  start(http: HttpServer): void {
    const io: GwServer = new Server(http, { serveClient: false, maxHttpBufferSize: 16_384 });
    this.io = io;
    // socket.io answers its own HTTP requests (polling, refusals), before Express: the same headers.
    io.engine.use((_req: unknown, res: { setHeader(name: string, value: string): void }, next: () => void) => {
      for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
      next();
    });
    io.on('connection', this.deps.guard.callback('socket connection', (socket: GwSocket) => this.connected(socket)));
    this.deps.sessions.onEnd(this.deps.guard.callback('session end', (key: string) => io.in(sessionRoom(key)).disconnectSockets(true)));
    this.lastCorridor = this.corridorKey(this.deps.state.corridor());
    this.timer = setInterval(this.deps.guard.callback('corridor tick', () => this.tick()), CORRIDOR_MIN_INTERVAL_MS);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    const io = this.io;
    this.io = undefined;
    if (io) {
      io.disconnectSockets(true);
      // io.close() would also close the HTTP server, which the caller owns.
      io.engine.close();
    }
  }

  /** Forwards events to the rooms of their checkpoints; estimates may have changed. */
  send(events: readonly LiveEvent[]): void {
    const io = this.io;
    if (!io) return;
    for (const e of events) {
      const room = io.to(roomOf(e.checkpoint));
      switch (e.type) {
        case 'queue':
          room.emit('queue', e.record);
          this.corridorDirty = true;
          break;
        case 'clearance':
          room.emit('clearance', e.record);
          break;
        case 'device':
          room.emit('device', e.record);
          break;
        case 'units':
          room.emit('units', e.record);
          break;
        case 'status':
          room.emit('status', e.checkpoint, e.status);
          this.corridorDirty = true;
          break;
        case 'alert':
          room.emit('alert', e.alert);
          break;
      }
    }
  }

  private connected(socket: GwSocket): void {
    const headers = socket.handshake.headers;
    const session = this.deps.auth.fromCookie(headers.cookie, false);
    const signedIn = session && this.originAllowed(socket) ? this.deps.auth.fromCookie(headers.cookie) : undefined;
    if (signedIn) {
      socket.data.signedIn = signedIn;
      void socket.join(sessionRoom(signedIn.session.key));
    }
    void socket.join(CORRIDOR);
    socket.emit('corridor', this.deps.state.corridor());
    const { guard } = this.deps;
    socket.on('watch', guard.event('watch', ([checkpoint]) => this.watch(socket, checkpoint)));
    socket.on('unwatch', guard.event('unwatch', ([checkpoint]) => {
      void socket.leave(roomOf(p.checkpointValue('checkpoint', checkpoint, this.known)));
    }));
  }

  /**
   * `watch(checkpoint)`: the session must still be the one the socket opened with, the argument
   * a configured checkpoint id (checked like a REST parameter, by name), one the user may see,
   * and the user within their watch budget (each answer is the checkpoint's whole state).
   */
  private watch(socket: GwSocket, checkpoint: unknown): WatchReply {
    const current = socket.data.signedIn && this.deps.auth.fromCookie(socket.handshake.headers.cookie);
    if (!current || current.session.id !== socket.data.signedIn?.session.id) throw new Unauthorized();
    const id = p.checkpointValue('checkpoint', checkpoint, this.known);
    // Logged and counted by the guard, at most once a minute per code.
    if (!Auth.maySee(current.user, id)) throw new Forbidden(`checkpoint '${id}' is not among yours`);
    const waitMs = this.watchBudget.take(current.user.username);
    if (waitMs > 0) {
      const s = Math.max(1, Math.ceil(waitMs / 1000));
      throw new RateLimited(s, `more than ${WATCH_PER_MINUTE} watch requests a minute; try again in ${s} s`);
    }
    void socket.join(roomOf(id));
    socket.emit('checkpoint', this.deps.state.snapshot(id)!);
    return { ok: true };
  }

  /**
   * Whether the page that opened the socket is ours, so that its cookie may be used: its Origin
   * must be exactly this server's origin as the browser sees it (origin.ts; behind a proxy, the
   * proxy's). No Origin: not a browser page. A refusal is reported, since behind a proxy that
   * does not pass on Host and X-Forwarded-Proto every officer's socket would be refused.
   */
  private originAllowed(socket: GwSocket): boolean {
    const { origin } = socket.handshake.headers;
    if (origin === undefined) return true;
    const expected = this.deps.origin(socket.request);
    if (isOrigin(origin, expected)) return true;
    this.deps.onForeignOrigin?.(origin, expected);
    return false;
  }

  /** Every second: device silence, and the corridor when it changed (at most once a second). */
  private tick(): void {
    const io = this.io;
    if (!io) return;
    this.send(this.deps.state.tick());
    const t = Date.now();
    if (!this.corridorDirty && t - this.lastCorridorCheck < CORRIDOR_RECHECK_MS) return;
    this.corridorDirty = false;
    this.lastCorridorCheck = t;
    const corridor = this.deps.state.corridor();
    const key = this.corridorKey(corridor);
    if (key === this.lastCorridor) return;
    this.lastCorridor = key;
    io.to(CORRIDOR).emit('corridor', corridor);
  }

  /** The corridor without its time: sent only when an estimate or status changed. */
  private corridorKey(c: CorridorLive): string {
    return JSON.stringify(c.checkpoints);
  }
}
