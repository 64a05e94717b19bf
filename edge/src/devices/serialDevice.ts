/**
 * One serial device of a crossing (docs/interfaces.md, "Serial devices"): opens its port,
 * feeds the bytes to the parser of its kind, turns good frames into LaneInputs and keeps the
 * counters of its `device` record. Thin on purpose: framing and decoding live in the parsers
 * (pure, tested byte by byte), meaning over time in the tracker and the weighing detector.
 *
 * A serial cable gets pulled, a USB adapter re-enumerates, a pty closes: the port then closes
 * (serialport emits 'close' with a DisconnectedError) and this device reopens it with
 * exponential backoff until stop(). Bad frames are counted and handed to onBadFrame, never
 * thrown: the good frames around them still come through.
 */
import { SerialPort } from 'serialport';
import type { InputError } from '@gatewatch/shared';
import type { SerialDeviceConfig } from '../config/types.js';
import type { LaneInput } from '../core/inputs.js';
import { DeviceDecoder, deviceStatus, type DeviceLog, type SerialDeviceStatus } from './deviceDecoder.js';

export type { DeviceLog, SerialDeviceStatus } from './deviceDecoder.js';

/** First reopen delay after the port closed or failed to open. */
export const REOPEN_MIN_MS = 250;
/**
 * Longest delay between reopen attempts: an unplugged device is back in at most this long
 * after it is plugged in again, and a missing port costs one failed open() per 10 s.
 */
export const REOPEN_MAX_MS = 10_000;

/** Delay before reopen attempt `attempt` (0-based): 250 ms doubling, capped at 10 s. */
export const reopenDelayMs = (attempt: number): number => Math.min(REOPEN_MIN_MS * 2 ** Math.min(attempt, 16), REOPEN_MAX_MS);

export interface SerialDeviceDeps {
  onInput(input: LaneInput): void;
  onBadFrame(err: InputError): void;
  log: DeviceLog;
  /** Wall clock (ms since the epoch); serial inputs are stamped with their reception time. */
  now?: () => number;
}

export class SerialDevice {
  private readonly now: () => number;
  private running = false;
  private port: SerialPort | undefined;
  /** Settles when the open() in flight has called back, so that stop() can close what it opened. */
  private opening: Promise<void> | undefined;
  private openedAtMs: number | undefined;
  private timer: NodeJS.Timeout | undefined;
  private attempt = 0;
  /** Framing, meaning and counters; it outlives connections (a vehicle on a loop through an outage is one vehicle). */
  private readonly decoder: DeviceDecoder;

  constructor(
    readonly config: SerialDeviceConfig,
    private readonly deps: SerialDeviceDeps,
  ) {
    this.now = deps.now ?? Date.now;
    this.decoder = new DeviceDecoder(config, deps);
  }

  /** Opens the port now and keeps it open (reopening after closes) until stop(). */
  start(): void {
    if (this.running) return;
    this.running = true;
    if ((this.config.kind === 'scanner' || this.config.kind === 'weighbridge') && this.config.lane === undefined) {
      // The config schema requires it; without a lane its frames are counted but lead nowhere.
      this.deps.log.error({ device: this.config.id, kind: this.config.kind }, 'serial device has no lane: its frames make no inputs');
    }
    this.open();
  }

  /** Closes the port and stops reopening it. */
  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.opening;
    const port = this.port;
    this.port = undefined;
    this.openedAtMs = undefined;
    if (port?.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
  }

  /** When the last good frame arrived (ms), undefined when never. */
  get lastSeenMs(): number | undefined {
    return this.decoder.counters().lastSeenMs;
  }

  /**
   * Port open and, when `silentAfterMs` is configured, a good frame within it. Silence is
   * counted from the last good frame or from the opening of the port, whichever is later:
   * "offline after 15 s without a sentence", not offline until the first heartbeat.
   */
  online(nowMs: number): boolean {
    if (this.port?.isOpen !== true || this.openedAtMs === undefined) return false;
    const { silentAfterMs } = this.config;
    if (silentAfterMs === undefined) return true;
    const lastSeen = this.decoder.counters().lastSeenMs;
    return nowMs - Math.max(lastSeen ?? this.openedAtMs, this.openedAtMs) <= silentAfterMs;
  }

  status(nowMs: number): SerialDeviceStatus {
    return deviceStatus(this.decoder.counters(), this.online(nowMs), nowMs);
  }

  private open(): void {
    this.timer = undefined;
    if (!this.running) return;
    const c = this.config;
    const port = new SerialPort({
      path: c.path,
      baudRate: c.baudRate,
      dataBits: c.dataBits,
      parity: c.parity,
      stopBits: c.stopBits,
      autoOpen: false,
    });
    this.port = port;
    // Without a listener an 'error' event would crash the agent. serialport reports read
    // failures as a 'close' with a DisconnectedError; what still comes here (a failed close)
    // leaves the port closed, which the reopen below takes care of.
    port.on('error', (err: Error) => {
      this.deps.log.warn({ path: c.path, error: err.message }, 'serial port error');
      if (!port.isOpen) this.lost(port);
    });
    this.opening = new Promise<void>((settled) => {
      port.open((err) => {
        settled();
        if (this.port !== port) return;
        if (err) {
          // Log the first failure of an outage only: a missing port is retried every 10 s for hours.
          if (this.attempt === 0) this.deps.log.warn({ path: c.path, error: err.message }, 'serial port cannot be opened; retrying');
          this.port = undefined;
          this.reopenLater();
          return;
        }
        this.connected(port);
      });
    });
  }

  private connected(port: SerialPort): void {
    if (!this.running) return; // stop() closes it
    this.deps.log.info({ path: this.config.path, attempts: this.attempt }, 'serial port open');
    this.attempt = 0;
    this.openedAtMs = this.now();
    this.decoder.connected();
    // Stamped on reception: serial devices send no clock.
    const onData = (chunk: Buffer): void => this.decoder.feed(chunk, this.now());
    port.on('data', onData);
    port.once('close', (err: (Error & { disconnected?: boolean }) | null) => {
      port.off('data', onData);
      // A frame cut off by the close is counted as bad; the next connection starts clean.
      this.decoder.disconnected(this.now());
      if (this.port === port) {
        this.deps.log.warn({ path: this.config.path, disconnected: err?.disconnected === true, error: err?.message }, 'serial port closed');
        this.lost(port);
      }
    });
  }

  /** The port is gone: reopen it later, unless stopped. Idempotent per port. */
  private lost(port: SerialPort): void {
    if (this.port !== port) return;
    this.port = undefined;
    this.openedAtMs = undefined;
    this.reopenLater();
  }

  private reopenLater(): void {
    if (!this.running || this.timer !== undefined) return;
    this.timer = setTimeout(() => this.open(), reopenDelayMs(this.attempt++));
  }
}
