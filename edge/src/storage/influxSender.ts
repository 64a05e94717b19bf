/**
 * Drains the outbox to InfluxDB 1.x, in order, one batch at a time.
 *
 * A batch leaves when `batch.maxPoints` are pending, or when the oldest pending point has
 * waited `batch.maxDelayMs`. A failed batch is retried as is (same points) with exponential
 * backoff until InfluxDB takes it; it is never dropped. Only then is it acknowledged, which
 * removes it from the outbox.
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
import { encodePoint } from './lineProtocol.js';
import type { Outbox, OutboxBatch } from './outbox.js';

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
}

export interface InfluxSenderStats {
  state: LinkState | 'unknown';
  batches: number;
  pointsSent: number;
  failures: number;
  /** Points that can never be written (no fields, NaN, bad timestamp…): logged and skipped. */
  invalidPoints: number;
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
  /** The batch being sent; kept across failures so that a retry sends exactly the same points. */
  private inflight: { batch: OutboxBatch; points: IPoint[] } | undefined;
  /** When the first point not in a peeked batch arrived (monotonic ms); undefined: none since. */
  private firstWaitingAt: number | undefined;
  /** The last peek left older points behind: send again without waiting. */
  private overdue = false;
  private readonly counters = { batches: 0, pointsSent: 0, failures: 0, invalidPoints: 0, lastError: null as string | null };
  private readonly initialRetryMs: number;
  private readonly maxRetryMs: number;

  constructor(private readonly opts: InfluxSenderOptions) {
    this.initialRetryMs = opts.retry?.initialMs ?? 500;
    this.maxRetryMs = opts.retry?.maxMs ?? 30_000;
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
        this.inflight = { batch, points: this.encode(batch) };
      }
      const { batch, points } = this.inflight;
      try {
        await this.ensureDatabase();
        if (points.length > 0) await this.client!.writePoints(points, { precision: 'n', database: this.opts.influx.database });
      } catch (error) {
        if (run.stopped) break;
        const message = describe(error);
        this.counters.failures++;
        this.counters.lastError = message;
        this.dbReady = false;
        this.setState('down', message);
        log.warn({ err: message, points: points.length, failures: this.counters.failures }, 'influx write failed; retrying the same batch');
        await backoff();
        continue;
      }
      // stop() returned meanwhile: the outbox may be closed. Not acknowledged means sent again
      // after the restart, which InfluxDB stores once.
      if (run.stopped) break;
      this.setState('up');
      try {
        outbox.ack(batch.token);
      } catch (error) {
        // Nothing was recorded, so the batch goes again: InfluxDB stores it once.
        log.error({ err: error }, 'cannot record the acknowledgement; the batch will be sent again');
        await backoff();
        continue;
      }
      this.inflight = undefined;
      this.counters.batches++;
      this.counters.pointsSent += points.length;
      retryMs = this.initialRetryMs;
    }
  }

  private encode(batch: OutboxBatch): IPoint[] {
    const out: IPoint[] = [];
    for (const p of batch.points) {
      const encoded = encodePoint(p);
      if ('error' in encoded) {
        this.counters.invalidPoints++;
        this.opts.log.error({ error: encoded.error, point: p }, 'point can never be written to InfluxDB; skipped');
        continue;
      }
      out.push(encoded);
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

function statusOf(error: unknown): number | undefined {
  const status = (error as { res?: { statusCode?: unknown } } | null)?.res?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message || error.name || String(error);
  return String(error);
}
