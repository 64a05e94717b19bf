/**
 * Drains the outbox to InfluxDB 1.x, in order, one batch at a time.
 *
 * A batch leaves when `batch.maxPoints` are pending, or when the oldest pending point has
 * waited `batch.maxDelayMs`. A failed batch is retried as is (same points) with exponential
 * backoff until InfluxDB takes it, unless InfluxDB refused it for good (below). Only then is it
 * acknowledged, which removes it from the outbox.
 *
 * Failed writes (classifyWriteError):
 * - Transient, retried forever: no answer (network error, timeout), 5xx (InfluxDB down or
 *   overloaded), 401/403 (credentials or rights: an operator can fix them), 404 (database not
 *   found: created again before the retry), 408, 429, any 3xx. The data is fine; the link or
 *   the server is not.
 * - 413 (body too large, e.g. a proxy's limit): the batch is split in halves, recursively, down
 *   to single points (MAX_SPLIT_DEPTH); a single point still too large is transient as above.
 * - Permanent, every other 4xx, in practice 400: the points themselves are refused (`partial
 *   write: field type conflict …`, `unable to parse …`, points beyond the retention policy).
 *   Sent again they would be refused again, forever, and the whole outbox would stall behind
 *   them while the link is fine. InfluxDB 1.x stores the points of a batch it can take and only
 *   drops the bad ones (`partial write … dropped=N`), so the batch is not sent again: all its
 *   points go to the dead letter (deadLetter.ts; InfluxDB does not say which point it dropped)
 *   with the status and error text, the rejection is logged and counted (rejectedBatches,
 *   rejectedPoints) and the batch is acknowledged.
 *
 * Exactly once: InfluxDB identifies a point by measurement + tag set + timestamp; writing a
 * point that already exists with the same fields replaces it with itself. So when the agent
 * dies after InfluxDB stored a batch but before the ack reached the disk, the restart sends the
 * same points again (the outbox hands out exactly what was appended: same measurement, tags,
 * nanosecond timestamp and fields) and InfluxDB still holds each once. The same holds for a
 * write that timed out on our side but succeeded on the server.
 */
import { InfluxDB, type IPoint, type ISingleHostConfig } from 'influx';
import type { SiteConfig } from '../config/types.js';
import type { Log } from '../log.js';
import { LogThrottle, MemoryDeadLetter, type DeadLetter, type Rejection } from './deadLetter.js';
import { encodePoint } from './lineProtocol.js';
import type { Outbox, OutboxBatch, OutboxPoint } from './outbox.js';

export type LinkState = 'up' | 'down';

export interface InfluxSenderEvents {
  /** Emitted on every change; `detail` is the error for 'down'. */
  state: [state: LinkState, detail?: string];
}

export interface InfluxSenderOptions {
  outbox: Outbox;
  influx: SiteConfig['influx'];
  batch: SiteConfig['batch'];
  log: Log;
  /** Backoff between retries of a failed batch: initialMs doubling up to maxMs (500 ms → 30 s). */
  retry?: { initialMs?: number; maxMs?: number };
  /** One HTTP request may take this long before it counts as failed (default 10 s). */
  requestTimeoutMs?: number;
  /**
   * Keeps the points InfluxDB refused for good (see "Failed writes" above). The agent passes a
   * FileDeadLetter on its outbox folder; default: a MemoryDeadLetter (the last 10,000 points).
   */
  deadLetter?: DeadLetter;
}

export interface InfluxSenderStats {
  state: LinkState | 'unknown';
  batches: number;
  pointsSent: number;
  failures: number;
  /** Points that can never be written (no fields, NaN, bad timestamp…): logged and skipped. */
  invalidPoints: number;
  /** Write requests InfluxDB refused for good (4xx, see above): not retried, dead-lettered. */
  rejectedBatches: number;
  /** Points in those requests; InfluxDB may have stored some of them (a partial write). */
  rejectedPoints: number;
  lastError: string | null;
  pending: number;
}

export interface StopOptions {
  /** Send what is pending first (if InfluxDB answers), within timeoutMs. */
  drain: boolean;
  timeoutMs: number;
}

type Listener<K extends keyof InfluxSenderEvents> = (...args: InfluxSenderEvents[K]) => void;
type WaitKind = 'idle' | 'backoff';

/** A point of the batch in flight, as appended and as written. */
interface Entry {
  point: OutboxPoint;
  encoded: IPoint;
}

/** What InfluxDB made of a batch: points it took, and writes it refused for good. */
interface Outcome {
  sent: number;
  rejected: Array<{ points: OutboxPoint[]; rejection: Rejection }>;
}

/** What to do about a failed write; see "Failed writes" at the top of this file. */
export type WriteFailure =
  | { kind: 'transient'; status: number | undefined; message: string }
  | { kind: 'too-large'; status: 413; message: string }
  | { kind: 'permanent'; status: number; message: string };

/** 4xx that say nothing about the points: fixed by an operator, by us, or by waiting. */
const TRANSIENT_4XX: ReadonlySet<number> = new Set([401, 403, 404, 408, 413, 429]);
/** 2^12 pieces: single points for any batch up to 4096 points, and a bound on the recursion. */
const MAX_SPLIT_DEPTH = 12;

/** The package's own host backoff would stack on ours and fail requests with "No host available". */
const NO_HOST_BACKOFF = {
  getDelay: () => 0,
  next() {
    return this;
  },
  reset() {
    return this;
  },
};

export class InfluxSender {
  private client: InfluxDB | undefined;
  private readonly listeners: { [K in keyof InfluxSenderEvents]: Set<Listener<K>> } = { state: new Set() };
  private state: LinkState | 'unknown' = 'unknown';
  private running = false;
  /** Per start(): a loop left hanging in a request by an earlier stop() must not come back to life. */
  private run = { stopped: true };
  private draining = false;
  private dbReady = false;
  private unsubscribe: (() => void) | undefined;
  private loopDone: Promise<void> = Promise.resolve();
  private waiter: { kind: WaitKind; wake: () => void } | undefined;
  /**
   * The batch being sent; kept across failures so that a retry sends exactly the same points.
   * `outcome` once InfluxDB answered: only the acknowledgement is left to do.
   */
  private inflight: { batch: OutboxBatch; entries: Entry[]; outcome?: Outcome } | undefined;
  /** When the first point not in a peeked batch arrived (monotonic ms); undefined: none since. */
  private firstWaitingAt: number | undefined;
  /** The last peek left older points behind: send again without waiting. */
  private overdue = false;
  private readonly counters = {
    batches: 0,
    pointsSent: 0,
    failures: 0,
    invalidPoints: 0,
    rejectedBatches: 0,
    rejectedPoints: 0,
    lastError: null as string | null,
  };
  private readonly initialRetryMs: number;
  private readonly maxRetryMs: number;
  private readonly deadLetter: DeadLetter;
  /** A bad producer can get every batch refused: one error line a minute is enough. */
  private readonly rejectLog = new LogThrottle(60_000);

  constructor(private readonly opts: InfluxSenderOptions) {
    this.initialRetryMs = opts.retry?.initialMs ?? 500;
    this.maxRetryMs = opts.retry?.maxMs ?? 30_000;
    this.deadLetter = opts.deadLetter ?? new MemoryDeadLetter();
  }

  on<K extends keyof InfluxSenderEvents>(event: K, listener: Listener<K>): this {
    this.listeners[event].add(listener);
    return this;
  }

  off<K extends keyof InfluxSenderEvents>(event: K, listener: Listener<K>): this {
    this.listeners[event].delete(listener);
    return this;
  }

  /**
   * Starts sending in the background and returns at once: the agent must run (and fill its
   * outbox) while InfluxDB is unreachable. The database is created (idempotent) before the
   * first write and again after every failure, in case InfluxDB came back empty.
   */
  start(): Promise<void> {
    if (this.running) return Promise.resolve();
    this.client = new InfluxDB(this.clientConfig());
    this.running = true;
    this.run = { stopped: false };
    this.draining = false;
    this.dbReady = false;
    // A batch abandoned by an earlier stop() is peeked again (the outbox may have been reopened).
    this.inflight = undefined;
    this.firstWaitingAt = undefined;
    this.overdue = false;
    this.unsubscribe = this.opts.outbox.onAppend(() => this.onAppend());
    this.loopDone = this.loop(this.run).catch((error: unknown) => {
      // loop() handles its own errors; this is a bug, and the outbox keeps everything anyway.
      this.opts.log.error({ err: error }, 'influx sender stopped by an unexpected error');
    });
    return Promise.resolve();
  }

  /**
   * Stops sending. With drain, first sends everything pending while InfluxDB answers, for at
   * most timeoutMs. A batch still in the air at the end is not acknowledged: it stays in the
   * outbox and goes again after the restart (stored once, see the top of this file).
   */
  async stop(opts: StopOptions = { drain: false, timeoutMs: 0 }): Promise<void> {
    if (!this.running) return;
    const deadline = performance.now() + Math.max(0, opts.timeoutMs);
    if (opts.drain) {
      this.draining = true;
      this.wake('idle', 'backoff');
      while (performance.now() < deadline && (this.inflight !== undefined || this.opts.outbox.stats().pending > 0)) {
        await delay(Math.min(20, Math.max(1, deadline - performance.now())));
      }
    }
    this.run.stopped = true;
    this.running = false;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.wake('idle', 'backoff');
    // A request hanging on a dead link is not waited for beyond the deadline.
    await Promise.race([this.loopDone, delay(Math.max(0, deadline - performance.now()))]);
    const pending = this.opts.outbox.stats().pending;
    this.opts.log.info({ pending, drained: pending === 0, ...this.counters }, 'influx sender stopped');
  }

  stats(): InfluxSenderStats {
    return { state: this.state, ...this.counters, pending: this.opts.outbox.stats().pending };
  }

  get linkState(): LinkState | 'unknown' {
    return this.state;
  }

  private clientConfig(): ISingleHostConfig {
    const { url, database, credentials } = this.opts.influx;
    const u = new URL(url);
    const https = u.protocol === 'https:';
    const config: ISingleHostConfig = {
      host: u.hostname,
      port: u.port ? Number(u.port) : https ? 443 : 80,
      protocol: https ? 'https' : 'http',
      database,
      pool: { maxRetries: 0, requestTimeout: this.opts.requestTimeoutMs ?? 10_000, backoff: NO_HOST_BACKOFF },
    };
    if (u.pathname !== '/' && u.pathname !== '') config.path = u.pathname;
    const username = credentials.username ?? (u.username ? decodeURIComponent(u.username) : undefined);
    const password = credentials.password ?? (u.password ? decodeURIComponent(u.password) : undefined);
    if (username !== undefined) config.username = username;
    if (password !== undefined) config.password = password;
    return config;
  }

  /** Inside Outbox.append: only decide whether the idle loop must look again. */
  private onAppend(): void {
    let wake = false;
    if (this.firstWaitingAt === undefined) {
      this.firstWaitingAt = performance.now();
      wake = true; // arm the maxDelayMs clock
    }
    if (this.waiter?.kind !== 'idle') return;
    if (wake || this.opts.outbox.stats().pending >= this.opts.batch.maxPoints) this.wake('idle');
  }

  /** 0: send now; Infinity: nothing to send; else ms until the oldest point has waited enough. */
  private dueIn(): number {
    const pending = this.opts.outbox.stats().pending;
    if (pending === 0) {
      this.firstWaitingAt = undefined; // the next append starts the clock (and wakes the loop)
      return Infinity;
    }
    if (this.draining || this.overdue || pending >= this.opts.batch.maxPoints || this.firstWaitingAt === undefined) return 0;
    return Math.max(0, this.firstWaitingAt + this.opts.batch.maxDelayMs - performance.now());
  }

  private async loop(run: { stopped: boolean }): Promise<void> {
    const { outbox, log } = this.opts;
    let retryMs = this.initialRetryMs;
    const backoff = async (): Promise<void> => {
      // While draining for shutdown, try often: the remaining time is short.
      await this.sleep(jitter(this.draining ? Math.min(retryMs, 1000) : retryMs), 'backoff');
      retryMs = Math.min(retryMs * 2, this.maxRetryMs);
    };
    while (!run.stopped) {
      if (!this.inflight) {
        const wait = this.dueIn();
        if (wait > 0) {
          await this.sleep(wait, 'idle');
          continue;
        }
        let batch: OutboxBatch | undefined;
        try {
          const pendingBefore = outbox.stats().pending;
          batch = outbox.peek(this.opts.batch.maxPoints);
          // Points appended from now on start a new clock; older ones left behind are overdue.
          this.firstWaitingAt = undefined;
          this.overdue = pendingBefore > (batch?.points.length ?? 0);
        } catch (error) {
          // The local disk, not the link: keep the link state, keep trying.
          log.error({ err: error }, 'cannot read the outbox; trying again');
          await backoff();
          continue;
        }
        if (!batch) continue;
        this.inflight = { batch, entries: this.encode(batch) };
      }
      const inflight = this.inflight;
      if (!inflight.outcome) {
        let outcome: Outcome;
        try {
          await this.ensureDatabase();
          outcome = await this.deliver(inflight.entries, 0, run);
        } catch (error) {
          if (run.stopped) break;
          const message = describe(error);
          this.counters.failures++;
          this.counters.lastError = message;
          this.dbReady = false;
          this.setState('down', message);
          log.warn(
            { err: message, status: statusOf(error), points: inflight.entries.length, failures: this.counters.failures },
            'influx write failed; retrying the same batch',
          );
          await backoff();
          continue;
        }
        // stop() returned meanwhile: the outbox may be closed. Not acknowledged means sent again
        // after the restart, which InfluxDB stores once (and refuses again, if it refused it).
        if (run.stopped) break;
        this.setState('up');
        for (const r of outcome.rejected) this.reject(r.points, r.rejection);
        inflight.outcome = outcome;
      }
      try {
        outbox.ack(inflight.batch.token);
      } catch (error) {
        // InfluxDB has the batch (or refused it and the dead letter has it): only the
        // acknowledgement is tried again. Should the process die first, the batch goes again
        // after the restart, which InfluxDB stores once.
        log.error({ err: error }, 'cannot record the acknowledgement; trying again');
        await backoff();
        continue;
      }
      this.inflight = undefined;
      this.counters.batches++;
      this.counters.pointsSent += inflight.outcome.sent;
      retryMs = this.initialRetryMs;
    }
  }

  /**
   * Writes the points, in order. Resolves with what InfluxDB took and what it refused for good;
   * throws on a transient failure (the caller retries the whole batch: rewriting points that a
   * first half already stored is harmless, InfluxDB keeps them once).
   */
  private async deliver(entries: readonly Entry[], depth: number, run: { stopped: boolean }): Promise<Outcome> {
    if (entries.length === 0) return { sent: 0, rejected: [] };
    try {
      await this.client!.writePoints(
        entries.map((e) => e.encoded),
        { precision: 'n', database: this.opts.influx.database },
      );
      return { sent: entries.length, rejected: [] };
    } catch (error) {
      const failure = classifyWriteError(error);
      if (failure.kind === 'permanent') {
        const rejection: Rejection = { status: failure.status, error: failure.message, at: new Date() };
        return { sent: 0, rejected: [{ points: entries.map((e) => e.point), rejection }] };
      }
      if (failure.kind === 'too-large' && entries.length > 1 && depth < MAX_SPLIT_DEPTH && !run.stopped) {
        if (depth === 0) this.opts.log.warn({ err: failure.message, points: entries.length }, 'influx write too large; splitting the batch in halves');
        const half = Math.ceil(entries.length / 2);
        const first = await this.deliver(entries.slice(0, half), depth + 1, run);
        if (run.stopped) throw new Error('sender stopped');
        const second = await this.deliver(entries.slice(half), depth + 1, run);
        return { sent: first.sent + second.sent, rejected: [...first.rejected, ...second.rejected] };
      }
      throw error;
    }
  }

  /** InfluxDB refused these points for good: into the dead letter, counted, logged. */
  private reject(points: readonly OutboxPoint[], rejection: Rejection): void {
    this.counters.rejectedBatches++;
    this.counters.rejectedPoints += points.length;
    this.counters.lastError = rejection.error;
    try {
      this.deadLetter.write(points, rejection);
    } catch (error) {
      this.opts.log.error({ err: error, points: points.length }, 'dead letter failed; rejected points not kept');
    }
    const held = this.rejectLog.take();
    if (held === undefined) return;
    this.opts.log.error(
      {
        status: rejection.status,
        err: rejection.error,
        points: points.length,
        deadLetter: this.deadLetter.location,
        rejectedBatches: this.counters.rejectedBatches,
        rejectedPoints: this.counters.rejectedPoints,
        logsHeldBack: held,
      },
      'InfluxDB refused a batch for good; not retried, its points are in the dead letter',
    );
  }

  private encode(batch: OutboxBatch): Entry[] {
    const out: Entry[] = [];
    for (const p of batch.points) {
      const encoded = encodePoint(p);
      if ('error' in encoded) {
        this.counters.invalidPoints++;
        this.opts.log.error({ error: encoded.error, point: p }, 'point can never be written to InfluxDB; skipped');
        continue;
      }
      out.push({ point: p, encoded });
    }
    return out;
  }

  private async ensureDatabase(): Promise<void> {
    if (this.dbReady) return;
    try {
      await this.client!.createDatabase(this.opts.influx.database);
    } catch (error) {
      // A user without admin rights may not create databases but may write to an existing
      // one: let the write decide. Anything else (no answer, 5xx) is a failed attempt.
      const status = statusOf(error);
      if (status === undefined || status >= 500) throw error;
      this.opts.log.warn({ err: describe(error) }, 'cannot create the InfluxDB database; writing anyway');
    }
    this.dbReady = true;
  }

  private setState(state: LinkState, detail?: string): void {
    if (state === this.state) return;
    this.state = state;
    if (state === 'up') this.opts.log.info('InfluxDB link up');
    else this.opts.log.warn({ err: detail }, 'InfluxDB link down');
    for (const listener of this.listeners.state) {
      try {
        if (detail === undefined) listener(state);
        else listener(state, detail);
      } catch (error) {
        this.opts.log.error({ err: error }, 'influx state listener failed');
      }
    }
  }

  private sleep(ms: number, kind: WaitKind): Promise<void> {
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const wake = (): void => {
        if (timer) clearTimeout(timer);
        if (this.waiter?.wake === wake) this.waiter = undefined;
        resolve();
      };
      if (Number.isFinite(ms)) timer = setTimeout(wake, ms);
      this.waiter = { kind, wake };
    });
  }

  private wake(...kinds: WaitKind[]): void {
    if (this.waiter && kinds.includes(this.waiter.kind)) this.waiter.wake();
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** ±20 %, so that the agents of many crossings do not all retry in the same second. */
function jitter(ms: number): number {
  return ms * (0.8 + Math.random() * 0.4);
}

/**
 * Transient, too large, or permanent (see "Failed writes" at the top of this file). The
 * `influx` package rejects with a RequestError carrying `res.statusCode` for answers 300–499,
 * and with a ServiceNotAvailableError (no status) for 5xx and timeouts.
 */
export function classifyWriteError(error: unknown): WriteFailure {
  const status = statusOf(error);
  const message = influxErrorText(error);
  if (status === 413) return { kind: 'too-large', status, message };
  if (status !== undefined && status >= 400 && status < 500 && !TRANSIENT_4XX.has(status)) return { kind: 'permanent', status, message };
  return { kind: 'transient', status, message };
}

/** InfluxDB's own error text (`{"error":"…"}` in the body) when there is one, else the message. */
export function influxErrorText(error: unknown): string {
  const message = describe(error);
  const body = /error occurred: ([\s\S]*)$/.exec(message)?.[1];
  if (body !== undefined) {
    try {
      const parsed = JSON.parse(body) as { error?: unknown } | null;
      if (typeof parsed?.error === 'string') return parsed.error;
    } catch {
      // not JSON: a proxy's page, say; the whole message says more
    }
  }
  return message.trim();
}

function statusOf(error: unknown): number | undefined {
  const status = (error as { res?: { statusCode?: unknown } } | null)?.res?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message || error.name || String(error);
  return String(error);
}
