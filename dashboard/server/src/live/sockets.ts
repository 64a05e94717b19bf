/**
 * socket.io rooms. Everyone is in `corridor` (the public strip, estimates only); a signed-in
 * client that sends `watch(checkpoint)` and may see it joins `checkpoint:<id>` and gets the whole
 * state at once, then that checkpoint's records and alerts. Rooms are the whole access control
 * of live data: an event is only ever emitted to the room of its checkpoint.
 *
 * The session is read from the cookie when the socket connects (a cross-origin page's socket is
 * treated as public); sockets of a session that ends are disconnected.
 */
import type { Server as HttpServer } from 'node:http';
import { Server, type Socket } from 'socket.io';
import type { ClientToServerEvents, CorridorLive, ServerToClientEvents, WatchReply } from '@gatewatch/shared';
import { Auth, type SignedIn } from '../auth/auth.js';
import type { SessionStore } from '../auth/sessions.js';
import { SECURITY_HEADERS } from '../http.js';
import type { Log } from '../log.js';
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

/** Whether the page that opened the socket is ours (same host), so its cookie may be used. */
function sameOrigin(origin: string | undefined, host: string | undefined): boolean {
  if (origin === undefined) return true;
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}

export class LiveSockets {
  private io: GwServer | undefined;
  private timer: NodeJS.Timeout | undefined;
  private corridorDirty = false;
  private lastCorridor = '';
  private lastCorridorCheck = 0;

  constructor(private readonly deps: { state: LiveState; auth: Auth; sessions: SessionStore; log: Log }) {}

  start(http: HttpServer): void {
    const io: GwServer = new Server(http, { serveClient: false, maxHttpBufferSize: 16_384 });
    this.io = io;
    // socket.io answers its own HTTP requests (polling, refusals), before Express: the same headers.
    io.engine.use((_req: unknown, res: { setHeader(name: string, value: string): void }, next: () => void) => {
      for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
      next();
    });
    io.on('connection', (socket) => this.connected(socket));
    this.deps.sessions.onEnd((key) => io.in(sessionRoom(key)).disconnectSockets(true));
    this.lastCorridor = this.corridorKey(this.deps.state.corridor());
    this.timer = setInterval(() => this.tick(), CORRIDOR_MIN_INTERVAL_MS);
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
    const signedIn = sameOrigin(headers.origin, headers.host) ? this.deps.auth.fromCookie(headers.cookie) : undefined;
    if (signedIn) {
      socket.data.signedIn = signedIn;
      void socket.join(sessionRoom(signedIn.session.key));
    }
    void socket.join(CORRIDOR);
    socket.emit('corridor', this.deps.state.corridor());
    socket.on('watch', (checkpoint: unknown, reply: unknown) => {
      const answer = (r: WatchReply): void => {
        if (typeof reply === 'function') (reply as (r: WatchReply) => void)(r);
      };
      const current = socket.data.signedIn && this.deps.auth.fromCookie(headers.cookie);
      if (!current || current.session.id !== socket.data.signedIn?.session.id) return answer({ ok: false, error: 'sign in first' });
      if (typeof checkpoint !== 'string' || !this.deps.state.has(checkpoint)) return answer({ ok: false, error: `no such checkpoint: ${String(checkpoint).slice(0, 64)}` });
      if (!Auth.maySee(current.user, checkpoint)) {
        this.deps.log.info({ username: current.user.username, checkpoint }, 'refused to watch a checkpoint that is not the user\'s');
        return answer({ ok: false, error: `checkpoint '${checkpoint}' is not among yours` });
      }
      void socket.join(roomOf(checkpoint));
      socket.emit('checkpoint', this.deps.state.snapshot(checkpoint)!);
      answer({ ok: true });
    });
    socket.on('unwatch', (checkpoint: unknown) => {
      if (typeof checkpoint === 'string') void socket.leave(roomOf(checkpoint));
    });
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
